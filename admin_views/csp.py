"""Flask-Admin's templates, made to run under the Content-Security-Policy of admin_views.auth
(and rid of the one English label they write without a translation).

A few of Flask-Admin's templates carry inline event handlers (`onclick="..."`) and
`javascript:void(0)` links, which a policy without 'unsafe-inline' blocks. Rather than copy
those templates whole, the loader below rewrites them as they are read: each handler becomes
a `data-` attribute that static/app.js acts on, each `javascript:` link becomes `#`.
`inline_script_left()` tells whether a template still has either; a test runs it over every
Flask-Admin template, so an upgrade that adds a new handler fails there, not in a browser.
"""

import re

from jinja2 import BaseLoader, Environment

# (what Flask-Admin writes, what the page gets instead); app.js does what the handler did.
REWRITES = (
    ('href="javascript:void(0)"', 'href="#"'),
    (' onclick="return false;"', ""),
    ("onclick=\"return modelActions.execute('{{ p[0] }}');\"", 'data-model-action="{{ p[0] }}"'),
    ("onclick=\"return faHelpers.safeConfirm('{{ _gettext('Are you sure you want to delete "
     "this record?') }}');\"",
     "data-confirm=\"{{ _gettext('Are you sure you want to delete this record?') }}\""),
    ("onclick=\"faForm.addInlineField(this, '{{ field.id }}');\"",
     'data-inline-field="{{ field.id }}"'),
    # Not handlers: the phone menu button's label, which Flask-Admin does not translate, and
    # the Indonesian for the date pickers and Select2 boxes, right after their library.
    ('aria-label="Toggle navigation"', 'aria-label="Buka menu"'),
    ("daterangepicker.js', v='1.3.22') }}\"></script>",
     "daterangepicker.js', v='1.3.22') }}\"></script>\n  <script src=\"{{ url_for("
     "'static', filename='id-locale.js') }}\"></script>"),
)  # fmt: skip

_INLINE = re.compile(r"""\son[a-z]+\s*=\s*["']|javascript:""", re.IGNORECASE)


def csp_safe(source: str) -> str:
    """`source` with Flask-Admin's inline handlers and `javascript:` links rewritten."""
    for old, new in REWRITES:
        source = source.replace(old, new)
    return source


def inline_script_left(source: str) -> list[str]:
    """The inline handlers and `javascript:` links still in `source` (empty when none)."""
    return _INLINE.findall(source)


class CspSafeLoader(BaseLoader):
    """Reads templates through `inner`; rewrites those that come from Flask-Admin."""

    def __init__(self, inner: BaseLoader):
        self.inner = inner

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if filename and "flask_admin" in filename.replace("\\", "/").split("/"):
            source = csp_safe(source)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()
