"""Export a list as the user sees it (scope, filters, search, sort) to CSV or XLSX.

Every row is written to a spooled temporary file while the request's database session is
open; only then is the file sent. Memory stays flat (the file spills to disk past 8 MB), no
lazy load runs after the session ends, and a failure answers with an error instead of a
200 with a cut-off file. Rows come in chunks and each chunk is written and encoded at once
(bench/export.py times it against a raw dump of the same rows).

CSV comes with a comma (the default, as before) or, with `?pemisah=titik-koma`, a semicolon:
the list separator of Excel under Indonesian regional settings, which opens such a file in
columns with a double click. XLSX has real date and number cells, a bold frozen header, column
widths taken from the first rows and an autofilter over the whole table.
"""

import csv
import io
import itertools
import queue
import tempfile
import threading

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user, login_user, logout_user

from models import export_jobs
from models.dates import to_wib
from models.types import utcnow

SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
# The CSV separators offered (`?pemisah=`): a comma unless asked otherwise, since scripts and
# the older links read commas; a semicolon for Excel under Indonesian regional settings.
SEPARATORS = {"koma": ",", "titik-koma": ";"}
MOMENT_FORMAT = "dd-mm-yyyy hh:mm"  # a WIB moment in a cell (format_date_short's order)
WIDTH_SAMPLE = 200  # the first rows a column's width is estimated from
MAX_WIDTH = 60


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


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def read_ahead(chunks, depth: int = 2):
    """Iterate `chunks` in a thread of their own, at most `depth` ahead: while the file's
    writer turns one chunk into text, the database already computes the next (the two
    cores work at once; a driver waiting on its server lets the other thread run). Only for
    chunks that read nothing but their own cursor (no session, no request). Stopped early,
    the thread stops too and closes `chunks` (and so their cursor)."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def hand(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read():
        try:
            for chunk in chunks:
                if not hand(chunk):
                    return
            hand(end)
        except BaseException as exc:  # raised again in the writer's thread
            hand(_Failed(exc))
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := waiting.get()) is not end:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        reader.join()


def _write_csv(spool, headers, chunks, safe: bool, delimiter: str = ",") -> None:
    spool.write("\ufeff".encode())  # the BOM spreadsheet programs need to read UTF-8
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for chunk in chunks:
        writer.writerows(chunk if safe else neutralised(chunk))
        spool.write(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    spool.write(buffer.getvalue().encode("utf-8"))


def _widths(headers, sample, formats) -> list[float]:
    """Column widths (in characters) that fit the header and the sampled rows."""
    widths = []
    for i, header in enumerate(headers):
        if i in formats:  # a date or a moment: the width of its format
            longest = len(formats[i])
        else:
            longest = max((len(str(row[i])) for row in sample if row[i] is not None), default=0)
        widths.append(min(max(len(header), longest) + 2, MAX_WIDTH))
    return widths


def _write_xlsx(spool, headers, chunks, sheet_title, formats=None, safe=False) -> None:
    """Write an XLSX in write-only mode: what precedes the rows in the sheet's XML (widths,
    frozen pane) is set before the first row, the autofilter (written after them) at the end.

    `formats` maps column indices to the number format of their date or moment cells (naive
    datetimes on the office clock); any other value is written as it comes: text (formulas
    neutralised unless `safe`), a number as a number.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = formats or {}
    chunks = iter(chunks)
    first = next(chunks, [])
    first = first if safe else neutralised(first)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    for letter, width in zip(letters, _widths(headers, first[:WIDTH_SAMPLE], formats),
                             strict=True):  # fmt: skip
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # One styled cell per date column, given each row's value just before its row is
    # appended: openpyxl writes a row as it is appended, so the cell is free again after.
    dated = []
    for index, number_format in formats.items():
        cell = WriteOnlyCell(sheet)
        cell.number_format = number_format
        dated.append((index, cell))
    count = 0
    for chunk in itertools.chain([first], chunks):
        for row in chunk if safe or chunk is first else neutralised(chunk):
            if dated:
                row = list(row)
                for index, cell in dated:
                    if row[index] is not None:
                        cell.value = row[index]
                        row[index] = cell
            sheet.append(row)
        count += len(chunk)
    sheet.auto_filter.ref = f"A1:{letters[-1]}{count + 1}"
    book.save(spool)


def too_many_for_xlsx(count: int) -> str:
    return (f"Daftar ini berisi {count:,} baris, melebihi batas satu lembar XLSX "
            f"({XLSX_MAX_ROWS:,} baris). Persempit dengan filter atau unduh sebagai CSV."
            .replace(",", "."))  # fmt: skip


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

    def export_table(self, query, fmt: str):
        """Return (headers, chunks, formats) for `fmt` ("csv" or "xlsx"): `formats` maps the
        indices of date columns to their cells' number format (XLSX); their values are then
        naive datetimes or dates on the office clock. By default: export_rows(), all text."""
        headers, chunks = self.export_rows(query)
        return headers, chunks, {}

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
        """Download this list, as filtered, searched and sorted, as CSV or XLSX; a list of more
        than EXPORT_STREAM_MAX_ROWS rows becomes a job for the worker (models/export_jobs.py)
        and the official sees its progress instead of waiting on the request."""
        if fmt not in ("csv", "xlsx"):
            abort(404)
        delimiter = SEPARATORS.get(request.args.get("pemisah", "koma"))
        if delimiter is None:
            abort(404)
        count, query = self._filtered_query()
        if fmt == "xlsx" and count is not None and count > XLSX_MAX_ROWS:
            flash(too_many_for_xlsx(count), "error")
            return redirect(url_for(".index_view", **request.args))
        file_name = f"{self.export_name}-{to_wib(utcnow()).strftime('%Y%m%d-%H%M')}.{fmt}"
        # A search with more matches than its page counts (admin_views/complaint_lists.py)
        # may be long: the worker counts and writes it.
        capped = self._template_args.get("search_capped")
        if count is not None and (count > export_jobs.stream_max_rows() or capped):
            return self._queue_export(fmt, count, file_name)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            self.write_export(spool, query, fmt, delimiter)
        except Exception:
            spool.close()
            raise
        spool.seek(0)
        mimetype = "text/csv" if fmt == "csv" else XLSX_TYPE
        return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=file_name)

    def write_export(self, out, query, fmt: str, delimiter: str = ",", watch=None) -> None:
        """Write the rows of `query` to the file `out` as `fmt`; `watch` sees each chunk of
        rows on its way (an export job's progress)."""
        headers, chunks, formats = self.export_table(query, fmt)
        if watch is not None:
            chunks = watch(chunks)
        if fmt == "csv":
            _write_csv(out, headers, chunks, self.export_rows_are_safe, delimiter)
        else:
            _write_xlsx(out, headers, chunks, self.name, formats, self.export_rows_are_safe)

    def _queue_export(self, fmt: str, count: int, file_name: str):
        """Queue the export as a job and open its page (an official has a few at most)."""
        if export_jobs.active_count(current_user) >= export_jobs.ACTIVE_PER_USER:
            flash("Anda masih memiliki ekspor yang sedang menunggu atau dibuat. Tunggu salah "
                  "satunya selesai atau batalkan dulu.", "error")  # fmt: skip
            return redirect(url_for("exports.index"))
        job = export_jobs.request_export(
            current_user, view=self.endpoint, list_path=url_for(".index_view"),
            title=self.name, args=request.args.items(multi=True), fmt=fmt,
            file_name=file_name, total_rows=count,
        )  # fmt: skip
        flash("Daftar ini panjang: berkasnya dibuat di latar belakang. Anda diberi notifikasi "
              "saat siap diunduh.", "info")  # fmt: skip
        return redirect(url_for("exports.job_view", job_id=job.id))


def produce_export(admin):
    """The writer of export jobs (models/export_jobs.Produce) for the lists of `admin`: the
    job's list, as its requester has it now (scope, filters, search, sort: the same query the
    page and the short export read), written as the short export writes it."""

    def produce(job, out, progress) -> None:
        view = next((v for v in admin._views
                     if isinstance(v, ExportMixin) and v.endpoint == job.view), None)  # fmt: skip
        if view is None:
            raise export_jobs.Refused("Daftar ini tidak lagi dapat diekspor.")
        user = job.requester
        # The request context shares the worker's application context (and `g`, where the
        # logged-in user is kept): the user is logged out again whatever happens.
        with current_app.test_request_context(job.list_path, query_string=job.query_pairs):
            login_user(user)
            try:
                if not user.active or not view.is_accessible():
                    raise export_jobs.Refused("Anda tidak lagi berwenang membuka daftar ini.")
                delimiter = SEPARATORS.get(request.args.get("pemisah", "koma"), ",")
                count, query = view._filtered_query()
                if view._template_args.get("search_capped"):  # the page counted a thousand
                    count = query.order_by(None).count()
                if job.fmt == "xlsx" and count is not None and count > XLSX_MAX_ROWS:
                    raise export_jobs.Refused(too_many_for_xlsx(count))
                progress.start(count or 0)
                view.write_export(out, query, job.fmt, delimiter, progress.counted)
            finally:
                logout_user()

    return produce
