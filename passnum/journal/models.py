"""The append-only journal: every change of a pass, a referral, a prescription or a checkbook."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubjectType(models.TextChoices):
    PASS = "pass", "Pass"
    CHECKBOOK = "checkbook", "Chéquier"
    REFERRAL = "referral", "Orientation"
    PRESCRIPTION = "prescription", "Prescription"
    BENEFICIARY = "beneficiary", "Bénéficiaire"
    SESSION = "session", "Séance"
    STATEMENT = "statement", "Relevé"


class AppendOnlyError(Exception):
    """The journal is never changed nor deleted, only appended to."""


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError("Le journal ne peut pas être effacé.")

    def about(self, obj):
        return self.filter(subject_type=subject_type_of(obj), subject_id=obj.pk)


class JournalEntry(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="journal_entries",
        verbose_name="programme",
    )
    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
        help_text="Vide pour une commande ou une tâche planifiée.",
        db_index=False,  # the journal is read by subject and by programme, not by user
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pour la structure",
        db_index=False,
    )
    subject_type = models.CharField("objet", max_length=20, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField("identifiant de l'objet")
    action = models.CharField("action", max_length=40)
    before = models.CharField("état avant", max_length=40, blank=True)
    after = models.CharField("état après", max_length=40, blank=True)
    reason = models.TextField("motif", blank=True)
    data = models.JSONField("détails", default=dict, blank=True)

    objects = models.Manager.from_queryset(JournalQuerySet)()

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="journal_subject")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_type__in=SubjectType.values),
                name="journal_subject_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.subject_type} {self.subject_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Le journal ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal ne peut pas être effacé.")


SUBJECT_TYPES = {
    "Pass": SubjectType.PASS,
    "Checkbook": SubjectType.CHECKBOOK,
    "Referral": SubjectType.REFERRAL,
    "Prescription": SubjectType.PRESCRIPTION,
    "Beneficiary": SubjectType.BENEFICIARY,
    "Session": SubjectType.SESSION,
    "Statement": SubjectType.STATEMENT,
}


def subject_type_of(obj) -> SubjectType:
    return SUBJECT_TYPES[type(obj).__name__]
