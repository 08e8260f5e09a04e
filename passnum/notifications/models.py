"""The outbox: every email the application sends is a row here, delivered by a background
task (``passnum worker``) and kept with its outcome."""

from django.db import models
from django.db.models import Q


class EmailKind(models.TextChoices):
    REMINDER_REFERRER = "reminder_referrer", "Rappel de fin de chéquier à la structure"
    REMINDER_BENEFICIARY = "reminder_beneficiary", "Rappel de fin de chéquier à la personne"
    REMINDER_FOLLOW_UP = "reminder_follow_up", "Relance de la personne (pass non utilisés)"
    PASSWORD_RESET = "password_reset", "Nouveau mot de passe"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "En file"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "En échec"
    CANCELLED = "cancelled", "Sans objet"


class Email(models.Model):
    """One outgoing email. ``queued`` until a worker sends it (``sent``) or gives up after a
    fixed number of attempts (``failed``, visible to the operator who may try again);
    ``cancelled`` when it no longer has a purpose when its turn comes (a reminder whose passes
    are all used). A body holding a secret (``secret_until`` set: a password-reset link) is
    erased once sent, or once the secret has expired."""

    kind = models.CharField("type", max_length=30, choices=EmailKind.choices)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name="programme",
    )
    recipient = models.EmailField("destinataire")
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte", blank=True)
    secret_until = models.DateTimeField(
        "lien secret valable jusqu'au",
        null=True,
        blank=True,
        help_text="Le texte contient un secret : effacé une fois envoyé ou expiré.",
    )
    body_erased_at = models.DateTimeField("texte effacé le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    last_error = models.CharField("dernière erreur", max_length=500, blank=True)
    next_attempt_at = models.DateTimeField("prochain essai", null=True, blank=True)
    task_id = models.UUIDField("tâche d'envoi", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "courriel"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["programme", "status"], name="email_programme_status"),
            # the sweeper's search: queued emails long overdue
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="email_queued_next_attempt",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="queued", next_attempt_at__isnull=False)
                | (~Q(status="queued") & Q(next_attempt_at__isnull=True)),
                name="email_next_attempt_only_when_queued",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="email_sent_has_sent_at",
            ),
        ]

    def __str__(self):
        return f"Courriel n° {self.pk} ({self.get_kind_display()}, {self.get_status_display()})"
