from django.db import models


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    PRESCRIBED = "prescribed", "Prescrite"
    REJECTED = "rejected", "Refusée"
    WITHDRAWN = "withdrawn", "Retirée"


class FollowUpReason(models.TextChoices):
    """Why a checkbook is in the « Pass non utilisés » list (``selectors.follow_up_for``)."""

    UNUSED_30_DAYS = "unused_30_days", "Aucun pass utilisé 30 jours après la remise"
    EXPIRING_SOON = "expiring_soon", "Fin du chéquier dans moins de 30 jours"
