from django.db import models


class PassStatus(models.TextChoices):
    AVAILABLE = "available", "Disponible"
    ASSIGNED = "assigned", "Attribué"
    REDEEMED = "redeemed", "Encaissé"
    REIMBURSED = "reimbursed", "Remboursé"
    EXPIRED = "expired", "Expiré"
    CANCELLED = "cancelled", "Annulé"


class PassSource(models.TextChoices):
    GENERATED = "generated", "Généré par passnum"
    IMPORTED = "imported", "Importé (opérateur externe)"


# Statuses whose value is counted in the budget, and the passes still in the ledger's stock.
COMMITTED = (PassStatus.ASSIGNED,)
CONSUMED = (PassStatus.REDEEMED, PassStatus.REIMBURSED)
IN_LEDGER = (PassStatus.AVAILABLE, PassStatus.ASSIGNED, *CONSUMED)


class ReminderRecipient(models.TextChoices):
    REFERRER = "referrer", "Structure qui a orienté"
    BENEFICIARY = "beneficiary", "Personne"


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "Courriel"
    LETTER = "letter", "Lettre"


class ReminderOrigin(models.TextChoices):
    AUTOMATIC = "automatic", "Rappel automatique avant la fin du chéquier"
    MANUAL = "manual", "Relance d'un orienteur ou du Département"
