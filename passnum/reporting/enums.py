"""The vocabularies of the exports: their names, formats and the states of an export file."""

from django.db import models


class ExportName(models.TextChoices):
    """The exports of a programme (API values of ``GET /exports/{name}``)."""

    REFERRALS = "referrals", "Orientations (sans nom)"
    PASSES = "passes", "Pass"
    SESSIONS = "sessions", "Séances (colonnes de La Coop de la médiation numérique)"
    STATEMENTS = "statements", "Relevés de remboursement"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Tableur Excel (XLSX)"
    CSV = "csv", "CSV (point-virgule, UTF-8)"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "En file"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "En échec"


# An export file still being made.
IN_PROGRESS = (ExportStatus.QUEUED, ExportStatus.RUNNING)
