"""Values read from a request, bounded before they reach the database.

A number from a URL becomes a database parameter: SQLite refuses integers beyond 64 bits
with an error, PostgreSQL's ``integer`` columns hold 32. Every id, page number and count the
application reads from a request passes through here, so a crafted value answers as
"not found" or "not valid" instead of an error page.
"""

MAX_ID = 2**31 - 1  # the largest key a PostgreSQL ``integer`` column holds


def parse_id(raw) -> int | None:
    """Return `raw` as a database key (1 … MAX_ID), or None when it cannot be one."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            return None
        value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_count(raw, maximum: int) -> int | None:
    """Return `raw` as a whole number 0 … `maximum`, or None when it is not one."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None
