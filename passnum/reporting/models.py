"""Export files made in the background: the request, its progress, and the file itself, kept in
the database (several application servers share it; nothing is written to their disks)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .enums import ExportFormat, ExportName, ExportStatus


class ExportFile(models.Model):
    """One export asked for on the site (or by the API's jobs) and made by a task of
    ``passnum worker``. Its content is cut into ``ExportChunk`` rows; ``passnum daily`` deletes
    it after ``EXPORT_RETENTION_DAYS`` days."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="export_files",
        verbose_name="programme",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="demandé pour la structure",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="demandé par",
    )
    name = models.CharField("export", max_length=20, choices=ExportName.choices)
    format = models.CharField("format", max_length=10, choices=ExportFormat.choices)
    period_start = models.DateField("du", null=True, blank=True)
    period_end = models.DateField("au", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField("lignes à écrire", null=True, blank=True)
    rows_done = models.PositiveIntegerField("lignes écrites", default=0)
    size_bytes = models.PositiveBigIntegerField("taille (octets)", default=0)
    filename = models.CharField("nom du fichier", max_length=150)
    error = models.CharField("erreur", max_length=500, blank=True)
    task_id = models.UUIDField("tâche", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "fichier d'export"
        verbose_name_plural = "fichiers d'export"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["programme", "-created_at"], name="exportfile_programme")]
        constraints = [
            models.CheckConstraint(
                condition=Q(name__in=ExportName.values), name="exportfile_name_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="exportfile_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="exportfile_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=F("period_end")),
                name="exportfile_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | Q(finished_at__isnull=False),
                name="exportfile_done_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.FAILED) | ~Q(error=""),
                name="exportfile_failure_explained",
            ),
        ]

    def __str__(self):
        return f"Export n° {self.pk} — {self.get_name_display()} ({self.get_format_display()})"

    @property
    def percent_done(self) -> int:
        """0 to 100; 100 once done."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class ExportChunk(models.Model):
    """A piece of an export file's content, in order (``index`` from 0): a file is read back one
    piece at a time, so a download never holds a whole file in memory."""

    export = models.ForeignKey(ExportFile, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField("rang")
    data = models.BinaryField("contenu")

    class Meta:
        verbose_name = "morceau de fichier d'export"
        ordering = ["export", "index"]
        constraints = [
            models.UniqueConstraint(fields=["export", "index"], name="exportchunk_unique_index")
        ]

    def __str__(self):
        return f"{self.export_id} / {self.index}"
