from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Sum

from passnum.journal.models import SubjectType, journal_subject

from .enums import FunderKind

DEPARTMENT_CODE_RE = r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$"


class Programme(models.Model):
    """A Pass numérique programme: one territory, one period, one envelope."""

    name = models.CharField("nom", max_length=200, unique=True)
    territory_code = models.CharField(
        "code du département",
        max_length=3,
        validators=[RegexValidator(DEPARTMENT_CODE_RE, "Code de département invalide (ex. 48).")],
    )
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    envelope_cents = models.BigIntegerField("enveloppe (centimes)")
    engineering_cents = models.BigIntegerField("part ingénierie (centimes)", default=0)
    pass_value_cents = models.PositiveIntegerField(
        "valeur faciale d'un pass (centimes)", default=1000
    )
    passes_per_checkbook = models.PositiveSmallIntegerField("pass par chéquier", default=5)
    validity_days = models.PositiveSmallIntegerField(
        "validité d'un chéquier (jours)", default=183, help_text="À compter de la prescription."
    )
    redemption_grace_days = models.PositiveSmallIntegerField(
        "délai de déclaration après la fin (jours)",
        default=30,
        help_text="Une structure peut déclarer jusqu'à ce nombre de jours après la fin de "
        "validité d'un pass une séance tenue avant ; le pass expire ensuite.",
    )
    reminder_days_before_end = models.PositiveSmallIntegerField(
        "rappel avant la fin (jours)",
        default=30,
        help_text="La structure qui a orienté et la personne sont prévenues ce nombre de jours "
        "avant la fin du chéquier.",
    )
    max_checkbooks_per_person = models.PositiveSmallIntegerField(
        "chéquiers au plus par personne", default=1
    )
    # The account that pays the providers' statements (SEPA credit transfers).
    payer_name = models.CharField("payeur (titulaire du compte)", max_length=70, blank=True)
    payer_iban = models.CharField("IBAN du payeur", max_length=34, blank=True)
    payer_bic = models.CharField("BIC du payeur", max_length=11, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "programme"
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(territory_code__regex=DEPARTMENT_CODE_RE),
                name="programme_territory_code_format",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="programme_period"
            ),
            models.CheckConstraint(
                condition=Q(envelope_cents__gt=0), name="programme_envelope_positive"
            ),
            models.CheckConstraint(
                condition=Q(engineering_cents__gte=0)
                & Q(engineering_cents__lt=F("envelope_cents")),
                name="programme_engineering_within_envelope",
            ),
            models.CheckConstraint(
                condition=Q(pass_value_cents__gt=0), name="programme_pass_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(passes_per_checkbook__gt=0),
                name="programme_passes_per_checkbook_positive",
            ),
            models.CheckConstraint(
                condition=Q(validity_days__gt=0), name="programme_validity_positive"
            ),
            models.CheckConstraint(
                condition=Q(redemption_grace_days__lte=365),
                name="programme_grace_within_a_year",
            ),
            models.CheckConstraint(
                condition=Q(reminder_days_before_end__gt=0, reminder_days_before_end__lte=365),
                name="programme_reminder_delay_range",
            ),
            models.CheckConstraint(
                condition=Q(max_checkbooks_per_person__gt=0),
                name="programme_max_checkbooks_positive",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The administration's form: the engineering share never drops below what was spent
        # from it (a database trigger holds it too, see ``triggers.py``).
        super().clean()
        if self.pk is None or self.engineering_cents is None:
            return
        spent = engineering_spent_cents(self)
        if self.engineering_cents < spent:
            raise ValidationError(
                {
                    "engineering_cents": "La part ingénierie ne peut pas être inférieure aux "
                    f"dépenses d'ingénierie déjà enregistrées ({spent} centimes)."
                }
            )


class Funder(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="funders", verbose_name="programme"
    )
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=FunderKind.choices)
    share_basis_points = models.PositiveSmallIntegerField(
        "part (points de base)", help_text="5000 = 50 %."
    )

    class Meta:
        verbose_name = "financeur"
        ordering = ["-share_basis_points", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="funder_unique_name"),
            models.CheckConstraint(
                condition=Q(share_basis_points__gt=0) & Q(share_basis_points__lte=10_000),
                name="funder_share_range",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FunderKind.values), name="funder_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.share_percent} %)"

    @property
    def share_percent(self):
        value = self.share_basis_points / 100
        return int(value) if value == int(value) else value


# An engineering expense above this is a typing mistake (ten million euros), not an invoice.
MAX_EXPENSE_CENTS = 10_000_000_00
LABEL_MAX = 200
SUPPLIER_MAX = 200
REFERENCE_MAX = 100


@journal_subject(SubjectType.ENGINEERING_EXPENSE)
class EngineeringExpense(models.Model):
    """What the operator spent from the programme's engineering share (``engineering_cents``):
    its own costs (training engineering, coordination, communication). The expenses of a
    programme never add up beyond its engineering share (service and database trigger)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="engineering_expenses",
        verbose_name="programme",
    )
    spent_on = models.DateField("date de la dépense")
    label = models.CharField("objet", max_length=LABEL_MAX)
    amount_cents = models.BigIntegerField("montant (centimes)")
    supplier = models.CharField("fournisseur", max_length=SUPPLIER_MAX, blank=True)
    reference = models.CharField(
        "référence", max_length=REFERENCE_MAX, blank=True, help_text="Facture, bon de commande…"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisie par",
    )
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    class Meta:
        verbose_name = "dépense d'ingénierie"
        verbose_name_plural = "dépenses d'ingénierie"
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0) & Q(amount_cents__lte=MAX_EXPENSE_CENTS),
                name="engineering_expense_amount_range",
            ),
            models.CheckConstraint(
                condition=~Q(label=""), name="engineering_expense_label_required"
            ),
        ]

    def __str__(self):
        return f"{self.spent_on:%d/%m/%Y} {self.label}"


def engineering_spent_cents(programme, *, using=None) -> int:
    """What was spent from the programme's engineering share, in cents."""
    return (
        EngineeringExpense.objects.using(using)
        .filter(programme=programme)
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
