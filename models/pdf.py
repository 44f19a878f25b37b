"""Render a document template to PDF: the only place xhtml2pdf is used.

Fonts are the project's own (static/fonts, Liberation Sans, SIL OFL); the resource policy lets
a render read nothing but that folder and fetch nothing from the network. Complaint text
reaches the templates autoescaped, so HTML in it prints as text.
"""

import logging
import threading
from functools import cache
from io import BytesIO
from pathlib import Path

from flask import render_template

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
_lock = threading.Lock()  # xhtml2pdf serialises renders anyway; say so


class DocumentError(Exception):
    """The PDF could not be made."""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _known_fonts() -> None:
    """Register Liberation Sans with ReportLab once per process and name it to xhtml2pdf.

    A @font-face in each template would parse the font files on every render.
    """
    from reportlab.lib.fonts import addMapping
    from xhtml2pdf import default

    _register_fonts()
    if "liberation sans" not in default.DEFAULT_FONT:
        addMapping(_FONT, 0, 0, _FONT)
        addMapping(_FONT, 1, 0, _BOLD)
        addMapping(_FONT, 0, 1, _FONT)
        addMapping(_FONT, 1, 1, _BOLD)
        default.DEFAULT_FONT["liberation sans"] = _FONT


@cache
def _policy():
    """What a render may read: the fonts' folder, nothing remote. (xhtml2pdf and the libraries
    it brings, some 35 MB, are imported at the first render, not in every process: the
    notification worker never renders a document.)"""
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    return ResourceAccessPolicy.server(base_dir=FONTS_DIR, allow_remote=False)


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/<template>` with `context` into PDF bytes.

    :raise DocumentError: xhtml2pdf reported an error (e.g. a resource it may not read).
    """
    from xhtml2pdf import pisa

    _known_fonts()
    html = render_template(template, **context)
    out = BytesIO()
    collector = _Collect()
    logger = logging.getLogger("xhtml2pdf")
    logger.addHandler(collector)
    try:
        with _lock:
            result = pisa.CreatePDF(html, dest=out, path=str(FONTS_DIR / "document.html"),
                                    encoding="utf-8", resource_policy=_policy())  # fmt: skip
    finally:
        logger.removeHandler(collector)
    if result.err:
        raise DocumentError("; ".join(collector.messages) or "xhtml2pdf error")
    return out.getvalue()


# -- the Buku Registrasi: a long table drawn directly with ReportLab --------------------------
# xhtml2pdf spends about a millisecond per table cell (measured: 1,000 rows x 10 columns took
# 26 s), so the register, the one document that grows with the data, is laid out with
# ReportLab's own Table: plain strings wrapped once, the header row repeated on every page,
# and "halaman x dari y" written when the page count is known, in a single pass.

REGISTER_COLUMNS = (  # (heading, key, share of the width): the book's columns (DOCUMENTS.md)
    ("No", "no", 0.025), ("No. Registrasi", "reg_number", 0.115),
    ("Tanggal Diterima", "received", 0.065), ("Kanal / No. LAPOR!", "channel", 0.075),
    ("Nama Pengadu", "name", 0.075), ("Alamat / Kontak", "contact", 0.09),
    ("Jenis", "jenis", 0.06), ("Uraian Singkat", "subject", 0.12),
    ("Diteruskan Kepada", "addressed_to", 0.09), ("Tindak Lanjut", "follow_up", 0.09),
    ("Tanggal Selesai", "closed", 0.06), ("Status", "status", 0.075),
    ("Keterangan", "remarks", 0.06),
)  # fmt: skip
_FONT, _BOLD = "LiberationSans", "LiberationSans-Bold"


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, str(FONTS_DIR / "LiberationSans-Regular.ttf")))
        pdfmetrics.registerFont(TTFont(_BOLD, str(FONTS_DIR / "LiberationSans-Bold.ttf")))


def wrapped(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width`: broken between words, and a word wider than the
    line (a pasted link) broken where it must, so that it stays inside its cell."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = []
    for line in simpleSplit(text, font, size, width):
        while stringWidth(line, font, size) > width:
            lo, hi = 1, len(line)  # the longest head that fits (at least one character)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                fits = stringWidth(line[:mid], font, size) <= width
                lo, hi = (mid, hi) if fits else (lo, mid - 1)
            lines.append(line[:lo])
            line = line[lo:]
        lines.append(line)
    return lines


def render_register(context: dict) -> bytes:
    """Draw the Buku Registrasi (landscape, header on every page, "halaman x dari y")."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    width_mm, height_mm = (float(x.removesuffix("mm")) for x in context["page"].split())
    page = (width_mm * mm, height_mm * mm)
    margin = 15 * mm
    usable = page[0] - 2 * margin
    size, pad = 7.5, 2.5
    widths = [share * usable for _, _, share in REGISTER_COLUMNS]
    footer = context["footer"]

    def cell(text, col_width, font=_FONT):
        return "\n".join(wrapped(str(text), font, size, col_width - 2 * pad)) or "-"

    rows = [[cell(h, w, _BOLD) for (h, _, _), w in zip(REGISTER_COLUMNS, widths, strict=True)]]
    for entry in context["entries"]:
        rows.append([cell(entry[key], w)
                     for (_, key, _), w in zip(REGISTER_COLUMNS, widths, strict=True)])  # fmt: skip
    empty = len(rows) == 1
    if empty:
        rows.append(["", "Tidak ada pengaduan yang diterima pada periode ini."]
                    + [""] * (len(REGISTER_COLUMNS) - 2))  # fmt: skip
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([*([("SPAN", (1, 1), (-1, 1))] if empty else []),
        ("FONT", (0, 0), (-1, -1), _FONT, size, size + 1.5),
        ("FONT", (0, 0), (-1, 0), _BOLD, size, size + 1.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))  # fmt: skip
    heading = context["heading"]

    class NumberedCanvas(Canvas):
        """Holds each page until the end, then writes the heading and "halaman x dari y"."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self.setFont(_FONT, 7.5)
                self.drawRightString(page[0] - margin, 8 * mm,
                                     f"{footer} — halaman {number} dari {total}")  # fmt: skip
                if number == 1:
                    y = page[1] - margin + 2 * mm
                    for i, line in enumerate(heading):
                        self.setFont(_BOLD if i == 0 else _FONT, 10 if i == 0 else 8.5)
                        self.drawCentredString(page[0] / 2, y - i * 12, line)
                super().showPage()
            super().save()

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin,
                            title=context["title"], author=context["author"])  # fmt: skip
    doc.build([Spacer(1, 12 * len(heading)), table], canvasmaker=NumberedCanvas)
    return out.getvalue()
