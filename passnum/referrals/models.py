from django.conf import settings
from django.db import models
from django.db.models import Q

from passnum.journal.models import SubjectType, journal_subject
from passnum.referential.enums import TIER_OUTSIDE_PRIORITY, Public, Service

from .enums import ReferralStatus


class ReferralQuerySet(models.QuerySet):
    def in_queue_order(self):
        """The Département's order: tier first, then the oldest referral."""
        return self.order_by("tier", "created_at", "pk")

    def pending(self):
        return self.filter(status=ReferralStatus.PENDING)


@journal_subject(SubjectType.REFERRAL)
class Referral(models.Model):
    """An orientation: an insertion actor asks the Département to prescribe a checkbook."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="programme",
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="bénéficiaire",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="structure qui oriente",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="orientée par",
    )
    created_at = models.DateTimeField("orientée le", auto_now_add=True)
    publics = models.JSONField(
        "publics prioritaires", default=list, blank=True, help_text="Déclarés par l'orienteur."
    )
    needs = models.JSONField("besoins", default=list)
    comment = models.TextField("commentaire", blank=True)
    tier = models.PositiveSmallIntegerField("rang de priorité")
    status = models.CharField(
        "statut", max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decision_reason = models.TextField("motif", blank=True)

    objects = models.Manager.from_queryset(ReferralQuerySet)()

    class Meta:
        verbose_name = "orientation"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["programme", "status", "tier", "created_at"], name="referral_queue"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=TIER_OUTSIDE_PRIORITY),
                name="referral_tier_range",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.REJECTED) | ~Q(decision_reason=""),
                name="referral_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.PENDING)
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="referral_decision_dated",
            ),
            models.CheckConstraint(condition=~Q(needs=[]), name="referral_has_needs"),
            # One pending referral per person at a time.
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(status=ReferralStatus.PENDING),
                name="referral_one_pending_per_beneficiary",
            ),
        ]

    def __str__(self):
        return f"Orientation n° {self.pk} ({self.get_status_display()})"

    @property
    def public_labels(self) -> list[str]:
        return [Public(code).label for code in self.publics]

    @property
    def need_labels(self) -> list[str]:
        return [Service(code).label for code in self.needs]

    @property
    def is_pending(self) -> bool:
        return self.status == ReferralStatus.PENDING


@journal_subject(SubjectType.PRESCRIPTION)
class Prescription(models.Model):
    """The Département's decision to give a checkbook to the person of a referral."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="prescriptions",
        verbose_name="programme",
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="prescription", verbose_name="orientation"
    )
    checkbook = models.OneToOneField(
        "passes.Checkbook",
        on_delete=models.PROTECT,
        related_name="prescription",
        verbose_name="chéquier",
    )
    prescribed_at = models.DateTimeField("prescrite le", auto_now_add=True)
    prescribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="prescrite par",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="service prescripteur",
    )

    class Meta:
        verbose_name = "prescription"
        ordering = ["-prescribed_at"]

    def __str__(self):
        return f"Prescription n° {self.pk}"
