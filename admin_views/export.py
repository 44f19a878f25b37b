"""Export a list as the user sees it (scope, filters, search, sort) to CSV or XLSX.

Every row is written to a spooled temporary file while the request's database session is
open; only then is the file sent. Memory stays flat (the file spills to disk past 8 MB), no
lazy load runs after the session ends, and a failure answers with an error instead of a
200 with a cut-off file. Rows come in chunks and each chunk is written and encoded at once:
a million rows cost about twice a raw dump of the same columns (bench/scale.py).
"""

import csv
import io
import tempfile

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose

from models.dates import to_wib
from models.types import utcnow

SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_STARTS = frozenset(FORMULA_PREFIXES)  # (each one character)


def neutralise(value) -> str:
    """Return `value` as text that no spreadsheet program evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralised(chunk) -> list[list[str]]:
    """`neutralise` over a chunk of rows whose values are all text (the export's hot loop)."""
    starts = FORMULA_STARTS
    return [["'" + v if v and v[0] in starts else v for v in row] for row in chunk]


def _write_csv(spool, headers, chunks, safe: bool) -> None:
    spool.write("\ufeff".encode())  # the BOM spreadsheet programs need to read UTF-8
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for chunk in chunks:
        writer.writerows(chunk if safe else neutralised(chunk))
        spool.write(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    spool.write(buffer.getvalue().encode("utf-8"))


def _write_xlsx(spool, headers, chunks, sheet_title) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.append(headers)
    for chunk in chunks:
        for row in neutralised(chunk):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                cells.append(cell)
            sheet.append(cells)
    book.save(spool)


class ExportMixin:
    """Adds `/ekspor/csv/` and `/ekspor/xlsx/` to a ModelView with `export_rows()`."""

    export_name = "daftar"
    # True where export_rows() neutralises formulas itself, so that the CSV writer passes its
    # rows on untouched; else the writer neutralises every value.
    export_rows_are_safe = False

    def export_rows(self, query):
        """Return (headers, chunks) for the filtered, sorted `query`: an iterator of lists of
        rows, every value text."""
        raise NotImplementedError

    def _filtered_query(self):
        """The list's query and its row count, as the user has it filtered and sorted."""
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        return self.get_list(None, sort[0] if sort else None, view_args.sort_desc,
                             view_args.search, view_args.filters, execute=False,
                             page_size=False)  # fmt: skip

    # With `can_export`, Flask-Admin's own Ekspor menu is shown; its links come here too.
    export_types = ("csv", "xlsx")

    @expose("/export/<export_type>/")
    def export(self, export_type):
        """Flask-Admin's Ekspor links: the project's export (formulas neutralised, streamed),
        not Flask-Admin's."""
        return self.export_view(export_type)

    @expose("/ekspor/<fmt>/")
    def export_view(self, fmt):
        """Download this list, as filtered, searched and sorted, as CSV or XLSX."""
        if fmt not in ("csv", "xlsx"):
            abort(404)
        count, query = self._filtered_query()
        if fmt == "xlsx" and count is not None and count > XLSX_MAX_ROWS:
            flash(f"Daftar ini berisi {count:,} baris, melebihi batas satu lembar XLSX "
                  f"({XLSX_MAX_ROWS:,} baris). Persempit dengan filter atau unduh sebagai CSV."
                  .replace(",", "."), "error")  # fmt: skip
            return redirect(url_for(".index_view", **request.args))
        headers, chunks = self.export_rows(query)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            if fmt == "csv":
                _write_csv(spool, headers, chunks, self.export_rows_are_safe)
            else:
                _write_xlsx(spool, headers, chunks, self.name)
        except Exception:
            spool.close()
            raise
        spool.seek(0)
        stamp = to_wib(utcnow()).strftime("%Y%m%d-%H%M")
        mimetype = "text/csv" if fmt == "csv" else XLSX_TYPE
        return send_file(spool, mimetype=mimetype, as_attachment=True,
                         download_name=f"{self.export_name}-{stamp}.{fmt}")  # fmt: skip
