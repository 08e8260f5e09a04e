"""The HTTP answers that carry an export, for the site and the API alike.

- ``stream_export``: made while it is sent. A CSV goes out as its rows are read (a
  ``StreamingHttpResponse`` over the rows' iterator); an XLSX is written first into a temporary
  file (in memory while small), then sent by pieces with its length.
- ``stored_export``: a file made in the background, read from the database by pieces.
"""

import io
import logging

from django.http import StreamingHttpResponse

from .enums import ExportFormat
from .exports import Export
from .periods import Period
from .selectors import export_content
from .writers import CONTENT_TYPES, csv_chunks, write_file

logger = logging.getLogger(__name__)

FILE_BLOCK_BYTES = 64 * 1024


class TemporaryFilePieces:
    """A temporary file read by pieces, then closed: once read, when the answer is closed, or
    when dropped unread (a client gone before the end)."""

    def __init__(self, file, block_bytes: int = FILE_BLOCK_BYTES):
        self.file = file
        self.block_bytes = block_bytes
        file.seek(0, io.SEEK_END)
        self.size = file.tell()
        file.seek(0)

    def __iter__(self):
        try:
            while piece := self.file.read(self.block_bytes):
                yield piece
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()

    def __del__(self):
        self.close()


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def stream_export(actor, export: Export, fmt: str, period: Period):
    """The export of the actor's programme, made now and sent as it is made. The caller has
    checked the actor's right to it."""
    programme = actor.programme
    rows = export.rows(programme, period)
    filename = export.filename(period, fmt)
    logger.info(
        "Export %s (%s) envoyé à la structure n° %s", export.name, fmt, actor.organisation.pk
    )
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(
            csv_chunks(rows), content_type=CONTENT_TYPES[ExportFormat.CSV]
        )
        return _attachment(response, filename)
    pieces = TemporaryFilePieces(write_file(rows, fmt, title=export.sheet))
    response = StreamingHttpResponse(pieces, content_type=CONTENT_TYPES[ExportFormat.XLSX])
    response["Content-Length"] = str(pieces.size)
    return _attachment(response, filename)


def stored_export(export_file):
    """A file made in the background (status ``done``), sent from the database."""
    response = StreamingHttpResponse(
        export_content(export_file), content_type=CONTENT_TYPES[ExportFormat(export_file.format)]
    )
    response["Content-Length"] = str(export_file.size_bytes)
    return _attachment(response, export_file.filename)
