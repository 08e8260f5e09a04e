"""Writing the rows of an export (``exports.py``) as CSV or XLSX, a piece at a time.

CSV is written for a French spreadsheet: UTF-8 with a byte order mark (so that Excel reads the
accents), « ; » between fields, CRLF line ends, dates as « JJ/MM/AAAA », euros with a decimal
comma (« 10,50 »). It is produced as it is read: ``csv_chunks`` yields bytes, a few hundred
rows at a time.

XLSX is written by openpyxl in write-only mode (each row goes to a temporary file as it comes,
memory stays flat), then saved to the file object given (a ``SpooledTemporaryFile``: in memory
while small, on the temporary disk beyond). Dates are date cells shown « JJ/MM/AAAA », euros are
numbers with two decimals, the header row is frozen.

A text beginning with « = », « + », « - » or « @ » would be read as a formula by a spreadsheet
(someone could type one as an organisation's name): XLSX cells are written as text whatever
they hold; in CSV such a text is prefixed with an apostrophe.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .enums import ExportFormat

BOM = "\ufeff"
CSV_ROWS_PER_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
EUROS_FORMAT = "#,##0.00"
# In memory up to this size, then in a temporary file.
SPOOL_MAX_BYTES = 1024 * 1024
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(rows: Iterable[tuple]) -> Iterator[bytes]:
    """The CSV of ``rows`` (the header first), as UTF-8 bytes, by pieces."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_cell(value) for value in row])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = EUROS_FORMAT
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
        return cell
    return value


def write_xlsx(rows: Iterable[tuple], file, *, title: str) -> None:
    """``rows`` (the header first) as one sheet called ``title``, saved into ``file``."""
    rows = iter(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    header = next(rows)
    for index, label in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(label) + 4))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(file)


def write_csv(rows: Iterable[tuple], file) -> None:
    for chunk in csv_chunks(rows):
        file.write(chunk)


def write_file(rows: Iterable[tuple], fmt: str, *, title: str):
    """The whole file in a temporary file (``SpooledTemporaryFile``), rewound; the caller
    closes it (a ``FileResponse`` does once sent)."""
    # Not a ``with``: the open file is what is returned.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        if fmt == ExportFormat.XLSX:
            write_xlsx(rows, file, title=title)
        else:
            write_csv(rows, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


def counted(rows: Iterable[tuple], every: int, report: Callable[[int], None]) -> Iterator[tuple]:
    """``rows`` unchanged; ``report(n)`` is called with the number of rows passed (the header
    aside) every ``every`` rows and once at the end."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    yield header
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            report(done)
    report(done)
