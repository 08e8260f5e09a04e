from django.db import models


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    PRESCRIBED = "prescribed", "Prescrite"
    REJECTED = "rejected", "Refusée"
    WITHDRAWN = "withdrawn", "Retirée"
