"""An SOP revision from the database written back as a seed module (`flask sop export`).

`seed_source(sop)` returns the text of a module in the style of `seeds/sop_48_*.py` that stands
alone (no COMMON): `HEADER`, `STEPS`, `OUTCOMES` and `SOP`. `build_sop(SOP)` of that module gives
the revision back: every string is written as a Python literal (quotes, newlines and any unicode
survive), a header list is its text cut at each newline, and outcomes keep their order.
Lines stay within 100 characters: a call or tuple that does not fit is written one argument a
line, a long string as adjacent literals cut after a space or a newline.
"""

import re
import textwrap
from dataclasses import dataclass

from models.sop import Sop
from seeds import sop_format

LINE_LENGTH = 100
INDENT = 4
ROLE_NAMES = {
    getattr(sop_format, name): name
    for name in ("PUBLIC", "FO", "KADIS", "KABID", "KASI", "TIM_TEKNIS")
}
# The closing stages and the end, by the names a seed writes them with.
END_NAMES = {sop_format.ANSWER: "ANSWER", sop_format.DISPATCH: "DISPATCH",
             sop_format.CLOSED: "CLOSED"}  # fmt: skip
HEADER_LISTS = ("legal_basis", "qualifications", "related", "equipment", "warnings", "records")


def seed_filename(sop: Sop) -> str:
    """The default file name of an exported revision: SOP.48 rev. 2 -> `sop_48_rev2.py`.

    It matches `seeds/sop_*.py` (the seed files' lint rules) and is an importable module name.
    """
    slug = re.sub(r"[^0-9a-z]+", "_", sop.code.lower()).strip("_")
    slug = re.sub(r"^sop_?", "", slug) or "x"
    return f"sop_{slug}_rev{sop.revision}.py"


# -- A small pretty-printer: names, strings, calls and tuples -------------------------------


@dataclass(frozen=True)
class _Name:
    """Source text written as is: a constant, a number, `minutes(30)`, `date(2021, 8, 4)`."""

    text: str
    uses: str | None = None  # the name it needs from seeds.sop_format


@dataclass(frozen=True)
class _Str:
    value: str


@dataclass(frozen=True)
class _Call:
    func: str
    args: tuple  # of (keyword or None, node)
    explode: bool = False  # one argument a line even when it would fit on one


@dataclass(frozen=True)
class _Tuple:
    items: tuple
    explode: bool = False


def _literal(value: str) -> str:
    """repr(), but in double quotes when the text has none (the project's style)."""
    text = repr(value)
    if text[0] == "'" and '"' not in value:
        # No quote of either kind inside, so nothing in the literal is escaped for quoting.
        return f'"{text[1:-1]}"'
    return text


def _flat(node) -> str:
    if isinstance(node, _Name):
        return node.text
    if isinstance(node, _Str):
        return _literal(node.value)
    if isinstance(node, _Call):
        args = ", ".join(f"{kw}={_flat(v)}" if kw else _flat(v) for kw, v in node.args)
        return f"{node.func}({args})"
    if len(node.items) == 1:
        return f"({_flat(node.items[0])},)"
    return f"({', '.join(_flat(item) for item in node.items)})"


def _chunks(value: str, first: int, width: int) -> list[str]:
    """Cut `value` after spaces and newlines into pieces whose literals fit: the first piece in
    `first` characters, the others in `width`."""
    pieces, current = [], ""
    for token in re.split(r"(?<=[ \n])", value):
        if current and len(_literal(current + token)) > (width if pieces else first):
            pieces.append(current)
            current = ""
        current += token
        # A word longer than a line is cut where it must be.
        while len(current) > 1 and len(_literal(current)) > (width if pieces else first):
            cut = len(current) - 1
            while cut > 1 and len(_literal(current[:cut])) > (width if pieces else first):
                cut -= 1
            pieces.append(current[:cut])
            current = current[cut:]
        if current.endswith("\n"):
            pieces.append(current)
            current = ""
    if current or not pieces:
        pieces.append(current)
    return pieces


def _render(node, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
    """Lines of `prefix` + node + `suffix` at `indent`, exploded only when it does not fit."""
    pad = " " * indent
    flat = f"{pad}{prefix}{_flat(node)}{suffix}"
    explode = isinstance(node, _Call | _Tuple) and node.explode and _has_parts(node)
    if not explode and (len(flat) <= LINE_LENGTH or isinstance(node, _Name)):
        return [flat]
    if isinstance(node, _Str):
        width = LINE_LENGTH - indent - len(suffix)
        pieces = [_literal(p) for p in _chunks(node.value, max(width - len(prefix), 20), width)]
        lines = [f"{pad}{piece}" for piece in pieces]
        lines[0] = f"{pad}{prefix}{pieces[0]}"
        lines[-1] += suffix
        return lines
    if isinstance(node, _Call):
        opening, parts = f"{node.func}(", node.args
    else:
        opening, parts = "(", tuple((None, item) for item in node.items)
    lines = [f"{pad}{prefix}{opening}"]
    for kw, value in parts:
        lines += _render(value, indent + INDENT, f"{kw}=" if kw else "", ",")
    lines.append(f"{pad}){suffix}")
    return lines


def _has_parts(node) -> bool:
    return bool(node.args if isinstance(node, _Call) else node.items)


# -- The seed module -------------------------------------------------------------------------


def _date(value) -> _Name:
    if value is None:
        return _Name("None")
    return _Name(f"date({value.year}, {value.month}, {value.day})")


def _role(value: str) -> _Name | _Str:
    return _Name(ROLE_NAMES[value], ROLE_NAMES[value]) if value in ROLE_NAMES else _Str(value)


def _lines(text: str) -> _Tuple:
    """A header list as stored (one item a line) -> a tuple that "\\n".join() gives back."""
    return _Tuple(tuple(_Str(line) for line in text.split("\n")) if text else ())


def _header(sop: Sop) -> _Call:
    args = [
        ("code", _Str(sop.code)),
        ("revision", _Name(str(sop.revision))),
        ("number", _Str(sop.number)),
        ("name", _Str(sop.name)),
        ("procedure_title", _Str(sop.procedure_title)),
        ("unit", _Str(sop.unit)),
        ("made_on", _date(sop.made_on)),
        ("revised_on", _date(sop.revised_on)),
        ("effective_on", _date(sop.effective_on)),
        ("approver_position", _Str(sop.approver_position)),
        ("approver_name", _Str(sop.approver_name)),
        ("approver_rank", _Str(sop.approver_rank)),
        ("approver_nip", _Str(sop.approver_nip)),
        *((field, _lines(getattr(sop, field))) for field in HEADER_LISTS),
    ]
    if sop.reconstructed:
        args.append(("reconstructed", _Name("True")))
    if sop.note:
        args.append(("note", _Str(sop.note)))
    return _Call("Header", tuple(args), explode=True)


def _step(step) -> _Call:
    if step.time_minutes is not None:
        time = _Name(f"minutes({step.time_minutes})", "minutes")
    else:
        time = _Name(f"days({step.time_working_days})", "days")
    args = [
        (None, _Name(str(step.no))),
        (None, _role(step.actor)),
        (None, _Str(step.activity)),
        (None, _Str(step.input_doc)),
        (None, time),
        (None, _Str(step.output)),
        (None, _Str(step.short_name)),
    ]
    if step.co_actor:
        args.append(("co_actor", _role(step.co_actor)))
    if step.closing:
        args.append(("closing", _end(step.closing)))
    return _Call("Step", tuple(args))


def _end(name: str):
    return _Name(END_NAMES[name], END_NAMES[name]) if name in END_NAMES else _Str(name)


def _outcome(step_no: int, outcome, closing: dict) -> _Call:
    """An outcome; one leading to a closing stage names the stage (`closing`: its step number
    → its kind), as the seeds do."""
    if outcome.next_step_no in closing:
        to = _end(closing[outcome.next_step_no])
    elif outcome.next_step_no is not None:
        to = _Name(str(outcome.next_step_no))
    elif outcome.ends in END_NAMES:
        to = _Name(END_NAMES[outcome.ends], END_NAMES[outcome.ends])
    else:
        to = _Str(outcome.ends)
    args = [
        (None, _Name(str(step_no))),
        (None, _Str(outcome.code)),
        (None, _Str(outcome.label)),
        (None, _Str(outcome.form)),
        (None, to),
    ]
    only_after = outcome.only_after_codes
    if outcome.document is not None or only_after:
        document = _Name("None") if outcome.document is None else _Str(outcome.document)
        args.append((None, document))
    if only_after:
        args.append((None, _Tuple(tuple(_Str(code) for code in only_after))))
    return _Call("Outcome", tuple(args))


def _names(node) -> set[str]:
    """Every name from seeds.sop_format the node's source uses (for the import line)."""
    if isinstance(node, _Name):
        return {node.uses} if node.uses else set()
    if isinstance(node, _Call):
        return {node.func}.union(*(_names(v) for _, v in node.args))
    if isinstance(node, _Tuple):
        return set().union(*(_names(item) for item in node.items))
    return set()


def _import_order(name: str) -> tuple:
    """isort's order by type, as ruff checks it: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name.lower(), name


def _docstring(sop: Sop) -> str:
    def plain(text: str) -> str:
        text = "".join(c if c.isprintable() else " " for c in text)
        return " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')

    summary = (
        f"{plain(sop.number)} — {plain(sop.name)} "
        f"(rev. {sop.revision}, effective {sop.effective_on:%d-%m-%Y})."
    )
    lines = textwrap.wrap(summary, LINE_LENGTH - 3, break_long_words=False,
                          break_on_hyphens=False)  # fmt: skip
    if sop.reconstructed:
        lines += ["", "RECONSTRUCTED: see the header's note."]
    if sop.draft:  # a seed knows no drafts: it is in force when effective
        lines += ["", "A DRAFT when exported: as a seed it is in force from its effective date."]
    lines += [
        "",
        f"Exported from the database by `flask --app app sop export {plain(sop.code)} "
        f"--revision {sop.revision}`.",
    ]
    return '"""' + "\n".join(lines) + '\n"""'


def seed_source(sop: Sop) -> str:
    """The text of a seed module that `build_sop()` turns back into this revision."""
    steps = sorted(sop.steps, key=lambda s: s.no)
    header = _header(sop)
    step_calls = [_step(step) for step in steps]
    closing = {step.no: step.closing for step in steps if step.closing}
    outcome_calls = [
        _outcome(step.no, outcome, closing)
        for step in steps
        for outcome in sorted(step.outcomes, key=lambda o: o.position or 0)
    ]
    names = _names(header).union(*map(_names, step_calls), *map(_names, outcome_calls))
    imports = sorted(names | {"SopSeed"}, key=_import_order)

    out = [_docstring(sop), "", "from datetime import date", ""]
    one_line = f"from seeds.sop_format import {', '.join(imports)}"
    if len(one_line) <= LINE_LENGTH:
        out.append(one_line)
    else:
        out += ["from seeds.sop_format import (", *(f"    {n}," for n in imports), ")"]
    out += ["", *_render(header, 0, "HEADER = "), ""]
    out += _render(_Tuple(tuple(step_calls), explode=True), 0, "STEPS = ")
    out += [""]
    out += _render(_Tuple(tuple(outcome_calls), explode=True), 0, "OUTCOMES = ")
    out += ["", "SOP = SopSeed(HEADER, STEPS, OUTCOMES)", ""]
    return "\n".join(out)
