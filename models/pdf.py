"""Render a document template to PDF: the only place xhtml2pdf is used.

Fonts are the project's own (static/fonts, Liberation Sans, SIL OFL); the resource policy lets
a render read nothing but that folder and fetch nothing from the network. Complaint text
reaches the templates autoescaped, so HTML in it prints as text.
"""

import logging
import threading
from io import BytesIO
from pathlib import Path

from flask import render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
POLICY = ResourceAccessPolicy.server(base_dir=FONTS_DIR, allow_remote=False)
_lock = threading.Lock()  # xhtml2pdf serialises renders anyway; say so


class DocumentError(Exception):
    """The PDF could not be made."""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/<template>` with `context` into PDF bytes.

    :raise DocumentError: xhtml2pdf reported an error (e.g. a resource it may not read).
    """
    html = render_template(template, fonts_dir=FONTS_DIR.as_posix(), **context)
    out = BytesIO()
    collector = _Collect()
    logger = logging.getLogger("xhtml2pdf")
    logger.addHandler(collector)
    try:
        with _lock:
            result = pisa.CreatePDF(html, dest=out, path=str(FONTS_DIR / "document.html"),
                                    encoding="utf-8", resource_policy=POLICY)  # fmt: skip
    finally:
        logger.removeHandler(collector)
    if result.err:
        raise DocumentError("; ".join(collector.messages) or "xhtml2pdf error")
    return out.getvalue()
