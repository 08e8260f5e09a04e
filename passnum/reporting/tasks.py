"""Making an export file in the background: the task of ``passnum worker`` (queue « exports »),
its progress, and the file stored in the database by pieces.

The task carries the export file's id only; the row says what to make. The rows are read from
the reporting database (a replica when there is one), the progress and the file are written to
the main one, outside the reading: the page sees the rows written so far while the task runs.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .enums import ExportStatus
from .exports import EXPORTS
from .models import ExportChunk, ExportFile
from .periods import Period
from .writers import counted, write_file

logger = logging.getLogger(__name__)

EXPORTS_QUEUE = "exports"
# The progress is written every so many rows (one UPDATE each).
PROGRESS_EVERY = 1000
# The size of a stored piece of a file.
CHUNK_BYTES = 1024 * 1024
FAILURE_MESSAGE = (
    "L'export n'a pas pu être produit (erreur imprévue). Demandez-le de nouveau ; si l'erreur "
    "revient, signalez-la à l'équipe technique."
)


@task(queue_name=EXPORTS_QUEUE)
def make_export_file(export_id: int) -> str:
    return make(export_id)


def enqueue_on_commit(export_id: int) -> None:
    """Enqueue the task once the export file's row is committed (an aborted request enqueues
    nothing)."""

    def enqueue():
        result = make_export_file.enqueue(export_id)
        ExportFile.objects.filter(pk=export_id).update(task_id=result.id)

    transaction.on_commit(enqueue, robust=True)


def make(export_id: int) -> str:
    """Make the file (the body of the task). Returns ``done``, ``failed``, or ``skipped`` (the
    file is no longer queued: another task made it, or it was purged)."""
    with transaction.atomic():
        export = (
            ExportFile.objects.select_for_update(skip_locked=True)
            .select_related("programme")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status != ExportStatus.QUEUED:
            return "skipped"
        export.status = ExportStatus.RUNNING
        export.started_at = timezone.now()
        export.save(update_fields=["status", "started_at"])
    try:
        _write(export)
    except Exception:
        logger.exception("Export n° %s (%s) en échec", export.pk, export.name)
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=FAILURE_MESSAGE, finished_at=timezone.now()
        )
        return "failed"
    logger.info("Export n° %s (%s, %s) prêt", export.pk, export.name, export.format)
    return "done"


def _write(export: ExportFile) -> None:
    spec = EXPORTS[export.name]
    period = Period(export.period_start, export.period_end)
    mine = ExportFile.objects.filter(pk=export.pk)
    mine.update(rows_total=spec.count(export.programme, period))

    def report(done: int) -> None:
        mine.update(rows_done=done)

    rows = counted(spec.rows(export.programme, period), PROGRESS_EVERY, report)
    with write_file(rows, export.format, title=spec.sheet) as file, transaction.atomic():
        size = 0
        index = 0
        while data := file.read(CHUNK_BYTES):
            ExportChunk.objects.create(export=export, index=index, data=data)
            size += len(data)
            index += 1
        # The rows written are the total (rows may have come or gone since the count).
        mine.update(
            status=ExportStatus.DONE,
            size_bytes=size,
            rows_total=F("rows_done"),
            finished_at=timezone.now(),
        )
