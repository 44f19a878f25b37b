"""A generated file as an HTTP response."""

from flask import make_response


def file_response(content, mimetype: str, name: str, inline: bool = False):
    """Answer with `content` as a file called `name` (shown in the browser when `inline`)."""
    response = make_response(content)
    response.headers["Content-Type"] = mimetype
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
