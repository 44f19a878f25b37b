"""Export a list as the user sees it (scope, filters, search, sort) to CSV or XLSX.

Every row is written to a spooled temporary file while the request's database session is
open; only then is the file sent. Memory stays flat (the file spills to disk past 8 MB), no
lazy load runs after the session ends, and a failure answers with an error instead of a
200 with a cut-off file.
"""

import csv
import io
import tempfile

from flask import abort, send_file
from flask_admin import expose

from models.dates import to_wib
from models.types import utcnow

# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value) -> str:
    """Return `value` as text that no spreadsheet program evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _write_csv(spool, headers, rows) -> None:
    text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")  # the BOM Excel needs
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    text.flush()
    text.detach()


def _write_xlsx(spool, headers, rows, sheet_title) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    book.save(spool)


class ExportMixin:
    """Adds `/ekspor/csv/` and `/ekspor/xlsx/` to a ModelView with `export_rows()`."""

    export_name = "daftar"

    def export_rows(self, query):
        """Yield (headers, row iterator) for the filtered, sorted `query`."""
        raise NotImplementedError

    def _filtered_query(self):
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        _count, query = self.get_list(None, sort[0] if sort else None, view_args.sort_desc,
                                      view_args.search, view_args.filters, execute=False,
                                      page_size=False)  # fmt: skip
        return query

    @expose("/ekspor/<fmt>/")
    def export_view(self, fmt):
        """Download this list, as filtered, searched and sorted, as CSV or XLSX."""
        if fmt not in ("csv", "xlsx"):
            abort(404)
        headers, rows = self.export_rows(self._filtered_query())
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            if fmt == "csv":
                _write_csv(spool, headers, rows)
            else:
                _write_xlsx(spool, headers, rows, self.name)
        except Exception:
            spool.close()
            raise
        spool.seek(0)
        stamp = to_wib(utcnow()).strftime("%Y%m%d-%H%M")
        mimetype = "text/csv" if fmt == "csv" else XLSX_TYPE
        return send_file(spool, mimetype=mimetype, as_attachment=True,
                         download_name=f"{self.export_name}-{stamp}.{fmt}")  # fmt: skip
