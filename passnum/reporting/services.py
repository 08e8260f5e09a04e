"""Export files: asking for one (made in the background), and deleting the old ones."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .enums import IN_PROGRESS, ExportStatus
from .exports import ensure_can_export, export_format
from .models import ExportFile
from .periods import Period
from .tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

# A file still queued or being made this long after it was asked for has lost its task (a
# worker killed, an enqueue that failed): ``passnum daily`` marks it failed.
STALE_AFTER = datetime.timedelta(hours=6)
STALE_MESSAGE = (
    "L'export n'a pas abouti (le processus qui le produisait s'est arrêté). Demandez-le de "
    "nouveau."
)


def request_export(actor, name: str, fmt: str, period: Period) -> ExportFile:
    """Queue the making of an export file for the actor's programme; ``passnum worker`` makes
    it. The operator may ask for every export, the Département for the referrals only."""
    export = ensure_can_export(actor, name)
    fmt = export_format(fmt)
    with transaction.atomic():
        made = ExportFile.objects.create(
            programme=actor.programme,
            organisation=actor.organisation,
            requested_by=actor.user,
            name=export.name,
            format=fmt,
            period_start=period.start,
            period_end=period.end,
            filename=export.filename(period, fmt),
        )
        enqueue_on_commit(made.pk)
    logger.info(
        "Export n° %s (%s, %s) demandé par la structure n° %s",
        made.pk,
        made.name,
        made.format,
        actor.organisation.pk,
    )
    return made


def purge_exports(today: datetime.date, *, now: datetime.datetime | None = None) -> str:
    """Delete the export files asked for more than ``EXPORT_RETENTION_DAYS`` days before
    ``today`` (with their content), and mark failed those whose task was lost. Run by
    ``passnum daily``; returns its sentence for the summary."""
    now = now or timezone.now()
    days = settings.PASSNUM_EXPORT_RETENTION_DAYS
    limit = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time())
    )
    stale = ExportFile.objects.filter(status__in=IN_PROGRESS, created_at__lt=now - STALE_AFTER)
    failed = stale.update(status=ExportStatus.FAILED, error=STALE_MESSAGE, finished_at=now)
    old = ExportFile.objects.filter(created_at__lt=limit)
    deleted = old.count()
    if deleted:
        old.delete()  # the pieces of content go with them (CASCADE)
    parts = []
    if deleted:
        parts.append(
            f"{deleted} fichier{'s' if deleted > 1 else ''} d'export de plus de {days} jours "
            f"supprimé{'s' if deleted > 1 else ''}"
        )
    if failed:
        parts.append(
            f"{failed} export{'s' if failed > 1 else ''} interrompu{'s' if failed > 1 else ''} "
            "marqué" + ("s" if failed > 1 else "") + " en échec"
        )
    return " ; ".join(parts)
