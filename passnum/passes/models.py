import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from passnum.journal.models import SubjectType, journal_subject

from .enums import (
    PassSource,
    PassStatus,
    ReminderChannel,
    ReminderOrigin,
    ReminderRecipient,
)


class CheckbookQuerySet(models.QuerySet):
    def with_unused_passes(self, today):
        """Checkbooks not yet past their end date that still hold an assigned pass."""
        return self.filter(expires_on__gte=today, passes__status=PassStatus.ASSIGNED).distinct()


@journal_subject(SubjectType.CHECKBOOK)
class Checkbook(models.Model):
    """The passes prescribed to one person at once."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="checkbooks",
        verbose_name="programme",
    )
    number = models.PositiveIntegerField("numéro")
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.PROTECT,
        related_name="checkbooks",
        verbose_name="bénéficiaire",
    )
    issued_on = models.DateField("délivré le")
    expires_on = models.DateField("valable jusqu'au")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = models.Manager.from_queryset(CheckbookQuerySet)()

    class Meta:
        verbose_name = "chéquier"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="checkbook_number"),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("issued_on")), name="checkbook_period"
            ),
        ]

    def __str__(self):
        return f"Chéquier n° {self.number}"


# An imported pass is prescribed only while its operator's end date leaves this many days.
MIN_DAYS_LEFT_IN_STOCK = 30


class PassQuerySet(models.QuerySet):
    def in_stock(self, today):
        """Available passes that can still be prescribed, those whose operator's end date comes
        first at the front (then by serial); a pass ending within 30 days is not given out."""
        usable_until = today + datetime.timedelta(days=MIN_DAYS_LEFT_IN_STOCK)
        return (
            self.filter(status=PassStatus.AVAILABLE)
            .filter(Q(stock_expires_on__isnull=True) | Q(stock_expires_on__gte=usable_until))
            .order_by(models.F("stock_expires_on").asc(nulls_last=True), "serial")
        )


@journal_subject(SubjectType.PASS)
class Pass(models.Model):
    """One Pass numérique: one hour of training, worth ``value_cents``.

    The code is never stored in clear: ``code_digest`` (keyed hash) finds a pass from a typed
    code, ``code_encrypted`` lets the checkbook be reprinted. See ``keys.py``.
    """

    # Indexes are kept to what is queried (every redemption updates each of them): the
    # programme by ``pass_programme_status``, serial and digest by their unique constraints
    # (a constraint, not ``unique=True``, so PostgreSQL gets no LIKE index it would never use).
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="passes",
        verbose_name="programme",
        db_index=False,
    )
    serial = models.CharField("numéro de série", max_length=40)
    code_digest = models.CharField("empreinte du code", max_length=64, editable=False)
    code_encrypted = models.TextField("code chiffré", editable=False)
    value_cents = models.PositiveIntegerField("valeur faciale (centimes)")
    status = models.CharField(
        "statut", max_length=20, choices=PassStatus.choices, default=PassStatus.AVAILABLE
    )
    source = models.CharField(
        "origine", max_length=20, choices=PassSource.choices, default=PassSource.GENERATED
    )
    stock_expires_on = models.DateField(
        "fin de validité fixée par l'opérateur", null=True, blank=True
    )
    checkbook = models.ForeignKey(
        Checkbook,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passes",
        verbose_name="chéquier",
    )
    expires_on = models.DateField("valable jusqu'au", null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name="remplace le pass",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = models.Manager.from_queryset(PassQuerySet)()

    class Meta:
        verbose_name = "pass"
        verbose_name_plural = "pass"
        ordering = ["serial"]
        indexes = [models.Index(fields=["programme", "status"], name="pass_programme_status")]
        constraints = [
            models.UniqueConstraint(fields=["serial"], name="pass_serial_unique"),
            models.UniqueConstraint(fields=["code_digest"], name="pass_code_digest_unique"),
            models.CheckConstraint(
                condition=Q(status__in=PassStatus.values), name="pass_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=PassSource.values), name="pass_source_valid"
            ),
            models.CheckConstraint(condition=Q(value_cents__gt=0), name="pass_value_positive"),
            # In stock means in no checkbook; beyond stock, a pass belongs to a checkbook and
            # has an end date.
            models.CheckConstraint(
                condition=Q(status=PassStatus.AVAILABLE, checkbook__isnull=True)
                | (
                    ~Q(status=PassStatus.AVAILABLE)
                    & Q(checkbook__isnull=False, expires_on__isnull=False)
                )
                # stock past the end date its external operator set
                | Q(
                    status=PassStatus.EXPIRED,
                    checkbook__isnull=True,
                    stock_expires_on__isnull=False,
                ),
                name="pass_checkbook_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(replaces=models.F("id")), name="pass_not_replacing_itself"
            ),
            # A replacement is issued straight into the checkbook of the pass it replaces.
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(status=PassStatus.AVAILABLE),
                name="pass_replacement_not_in_stock",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def is_unused(self) -> bool:
        return self.status == PassStatus.ASSIGNED


class Reminder(models.Model):
    """A reminder to use a checkbook's passes, one row per reminder.

    Automatic (``passnum daily``, ``reminders.py``): before the checkbook's end, once per
    checkbook and recipient (the referring organisation, the person), by email. Manual (« Pass
    non utilisés »): a referrer or the Département reminds the person of a dormant checkbook, by
    email, or by a letter to print when the person has no email address. The email is in the
    outbox (``message``: its address, status and sending time), sent by ``passnum worker``. A
    person is reminded at most once a day for a checkbook."""

    checkbook = models.ForeignKey(Checkbook, on_delete=models.PROTECT, related_name="reminders")
    recipient = models.CharField("destinataire", max_length=20, choices=ReminderRecipient.choices)
    channel = models.CharField(
        "moyen", max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    origin = models.CharField(
        "origine", max_length=10, choices=ReminderOrigin.choices, default=ReminderOrigin.AUTOMATIC
    )
    due_on = models.DateField("le")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pour la structure",
        help_text="Vide pour un rappel automatique.",
    )
    message = models.OneToOneField(
        "notifications.Email",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminder",
        verbose_name="courriel",
        help_text="Vide pour une lettre, ou un rappel envoyé avant la file des courriels.",
    )

    class Meta:
        verbose_name = "rappel"
        constraints = [
            # The automatic reminder goes once per checkbook and recipient.
            models.UniqueConstraint(
                fields=["checkbook", "recipient"],
                condition=Q(origin=ReminderOrigin.AUTOMATIC),
                name="reminder_once_per_recipient",
            ),
            # Nobody is reminded twice the same day for the same checkbook.
            models.UniqueConstraint(
                fields=["checkbook", "recipient", "due_on"], name="reminder_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(recipient__in=ReminderRecipient.values)
                & Q(channel__in=ReminderChannel.values)
                & Q(origin__in=ReminderOrigin.values),
                name="reminder_codes_valid",
            ),
            # A letter has no email; an automatic reminder is an email.
            models.CheckConstraint(
                condition=~Q(channel=ReminderChannel.LETTER) | Q(message__isnull=True),
                name="reminder_letter_without_email",
            ),
            # A manual reminder is made by someone, for an organisation, to the person.
            models.CheckConstraint(
                condition=Q(origin=ReminderOrigin.AUTOMATIC, channel=ReminderChannel.EMAIL)
                | Q(
                    origin=ReminderOrigin.MANUAL,
                    recipient=ReminderRecipient.BENEFICIARY,
                    created_by__isnull=False,
                    organisation__isnull=False,
                ),
                name="reminder_manual_signed",
            ),
        ]

    def __str__(self):
        return f"Rappel {self.get_recipient_display()} — chéquier {self.checkbook_id}"
