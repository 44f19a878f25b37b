"""Date, time and date-and-time inputs as the office writes them, whatever the browser's language.

A native ``<input type="date">`` shows and takes the browser's format (mm/dd/yyyy in an English
Chromium) and a time input a 12-hour clock. Every form of the project draws its dates instead as
text inputs of ``hh-bb-tttt`` and ``jj.mm`` (24-hour), read by models/dates.py (ISO too):
`bind_typed_field` (called by every form's `Meta.bind_field`, models/words.py) swaps a WTForms
DateField, TimeField or DateTimeLocalField for its typed twin here. static/inputs.js adds the
separators as digits are typed and says a mistake in Indonesian before the form is sent.
"""

from wtforms import DateField, DateTimeLocalField, TimeField
from wtforms.fields.core import UnboundField
from wtforms.widgets import TextInput

from models.dates import (
    DATE_HINT,
    DATE_MESSAGE,
    MOMENT_MESSAGE,
    TIME_HINT,
    TIME_MESSAGE,
    date_input,
    moment_input,
    parse_date,
    parse_moment,
    parse_time,
    time_input,
)

# What the browser accepts before sending (an HTML `pattern`, anchored; written for the `v` flag
# Chromium compiles it with: no bare `-` or `/` inside a class). The server reads the same forms.
_DATE = r"\d{1,2}(-|/|\.)\d{1,2}(-|/|\.)\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{8}"
_TIME = r"\d{1,2}(\.|:)\d{2}((\.|:)\d{2})?|\d{4}"
PATTERNS = {
    "date": _DATE,
    "time": _TIME,
    "moment": rf"({_DATE})(T|,? )({_TIME})",
}
PLACEHOLDERS = {"date": DATE_HINT, "time": TIME_HINT, "moment": f"{DATE_HINT} {TIME_HINT}"}
EXAMPLES = {"date": "02-12-2026", "time": "14.30", "moment": "02-12-2026 14.30"}
MESSAGES = {"date": DATE_MESSAGE, "time": TIME_MESSAGE, "moment": MOMENT_MESSAGE}


class TypedInput(TextInput):
    """A text input of one `kind` (date, time, moment): its placeholder, pattern, and the
    ``data-input`` and ``data-message`` (the server's own) that static/inputs.js acts on."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def __call__(self, field, **kwargs):
        kind = self.kind
        kwargs.setdefault("inputmode", "numeric")  # inputs.js types the separators
        kwargs.setdefault("placeholder", PLACEHOLDERS[kind])
        kwargs.setdefault("pattern", PATTERNS[kind])
        kwargs.setdefault("title", f"{PLACEHOLDERS[kind]}, mis. {EXAMPLES[kind]}")
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("maxlength", 40)
        kwargs.setdefault("data-input", kind)
        kwargs.setdefault("data-message", MESSAGES[kind])
        kwargs.setdefault("size", len(EXAMPLES[kind]) + 2)
        return super().__call__(field, **kwargs)


class _Typed:
    """What the three fields share: read with `parse`, shown with `show`; the parsed value
    (not what was typed) is what a form shown again holds, so ISO comes back as dd-mm-yyyy."""

    parse = show = None

    def _value(self):
        if self.data is not None:
            return type(self).show(self.data)
        return " ".join(self.raw_data or ())

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = None
        if text:
            self.data = type(self).parse(text)  # a ValueError's message is the field's error


class TypedDateField(_Typed, DateField):
    """A date typed as ``02-12-2026``; its data a `date`."""

    widget = TypedInput("date")
    parse, show = staticmethod(parse_date), staticmethod(date_input)


class TypedTimeField(_Typed, TimeField):
    """A time typed as ``14.30`` or ``14:30`` (24-hour); its data a `time`."""

    widget = TypedInput("time")
    parse, show = staticmethod(parse_time), staticmethod(time_input)


class TypedMomentField(_Typed, DateTimeLocalField):
    """A date and time typed as ``02-12-2026 14.30``; its data a naive `datetime`."""

    widget = TypedInput("moment")
    parse, show = staticmethod(parse_moment), staticmethod(moment_input)


# (WTForms class, its typed twin); the order matters: a TimeField is a DateTimeField too.
TWINS = ((TimeField, TypedTimeField), (DateTimeLocalField, TypedMomentField),
         (DateField, TypedDateField))  # fmt: skip


def typed_twin(field_class: type) -> type | None:
    """The typed field drawn instead of `field_class`; None when it is no date or time field,
    is one already, or is another library's subclass with a widget of its own."""
    if issubclass(field_class, _Typed):
        return None
    for native, twin in TWINS:
        if field_class is native:
            return twin
    return None


def bind_typed_field(unbound_field: UnboundField) -> UnboundField:
    """`unbound_field` as its typed twin (a native date, time or date-and-time field with its
    own widget), else unchanged. Its `format=` is dropped: the twin reads the office's forms."""
    twin = typed_twin(unbound_field.field_class)
    if twin is None or "widget" in unbound_field.kwargs:
        return unbound_field
    kwargs = {k: v for k, v in unbound_field.kwargs.items() if k != "format"}
    args = unbound_field.args[:2]  # (label, validators); a third positional is the format
    return UnboundField(twin, *args, name=unbound_field.name, **kwargs)


class _Loose:
    """What TypedInput reads of a field, for an input outside any form (a GET filter)."""

    flags = ()

    def __init__(self, name: str, value: str):
        self.id = self.name = name
        self.value = value

    def _value(self):
        return self.value


READERS = {
    kind: (twin.parse, twin.show)
    for kind, twin in (("date", TypedDateField), ("time", TypedTimeField),
                       ("moment", TypedMomentField))
}  # fmt: skip


def typed_input(kind: str, name: str, value: str = "", **attrs) -> str:
    """A typed input of `kind` outside any form (Jinja global): `value` shown the office's way
    when it can be read, else as it was typed."""
    parse, show = READERS[kind]
    try:
        value = show(parse(value)) if value.strip() else ""
    except ValueError:
        pass
    return TypedInput(kind)(_Loose(name, value), **attrs)
