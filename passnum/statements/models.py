"""Monthly reimbursement statements (relevés de remboursement) of providers."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passnum.journal.models import SubjectType, journal_subject


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validé"
    PAID = "paid", "Payé"


@journal_subject(SubjectType.STATEMENT)
class Statement(models.Model):
    """A provider's redeemed passes of a month, to be reimbursed. Its totals are read from its
    redemptions (the ledger), never typed."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="statements"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name="structure",
    )
    period = models.DateField("mois", help_text="Premier jour du mois.")
    status = models.CharField(
        "statut", max_length=20, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField("payé le", null=True, blank=True)
    payment_reference = models.CharField("référence du paiement", max_length=140, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The account to pay, copied from the provider's bank details when the operator validates:
    # changing them afterwards does not redirect money already approved.
    payee_name = models.CharField("titulaire du compte à créditer", max_length=70, blank=True)
    payee_iban = models.CharField("IBAN à créditer", max_length=34, blank=True)
    payee_bic = models.CharField("BIC à créditer", max_length=11, blank=True)
    exported_at = models.DateTimeField("virement SEPA produit le", null=True, blank=True)

    class Meta:
        verbose_name = "relevé de remboursement"
        verbose_name_plural = "relevés de remboursement"
        ordering = ["-period", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "period"], name="statement_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values), name="statement_status_valid"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="statement_period_month"),
            models.CheckConstraint(
                condition=Q(status=StatementStatus.DRAFT)
                | (
                    Q(validated_at__isnull=False, validated_by__isnull=False)
                    & ~Q(payee_iban="")
                    & ~Q(payee_name="")
                ),
                name="statement_validation_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status=StatementStatus.PAID)
                | (Q(paid_on__isnull=False, paid_by__isnull=False) & ~Q(payment_reference="")),
                name="statement_payment_recorded",
            ),
        ]

    def __str__(self):
        return f"Relevé {self.period:%m/%Y} — {self.organisation}"
