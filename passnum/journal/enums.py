"""What the journal speaks of (subjects) and what happened to them (actions): closed lists,
checked by the database."""

from django.db import models


class SubjectType(models.TextChoices):
    PASS = "pass", "Pass"
    CHECKBOOK = "checkbook", "Chéquier"
    REFERRAL = "referral", "Orientation"
    PRESCRIPTION = "prescription", "Prescription"
    BENEFICIARY = "beneficiary", "Bénéficiaire"
    SESSION = "session", "Séance"
    STATEMENT = "statement", "Relevé"
    ENGINEERING_EXPENSE = "engineering_expense", "Dépense d'ingénierie"


class Action(models.TextChoices):
    # Any subject
    CREATED = "created", "Création"
    # A pass: its moves (``passes.transitions``)
    GENERATED = "generated", "Pass généré"
    IMPORTED = "imported", "Pass importé"
    ASSIGNED = "assigned", "Pass attribué"
    CANCELLED = "cancelled", "Pass annulé (perdu ou volé)"
    ISSUED_AS_REPLACEMENT = "issued_as_replacement", "Pass émis en remplacement"
    EXPIRED = "expired", "Pass expiré"
    REDEEMED = "redeemed", "Pass encaissé"
    REDEMPTION_UNDONE = "redemption_undone", "Encaissement annulé"
    REIMBURSED = "reimbursed", "Pass remboursé"
    # A checkbook
    ISSUED = "issued", "Chéquier délivré"
    PASSES_REPLACED = "passes_replaced", "Pass remplacés"
    PRINTED = "printed", "Chéquier imprimé"
    REMINDED = "reminded", "Rappel ou relance (pass non utilisés)"
    # A referral
    PRESCRIBED = "prescribed", "Orientation prescrite"
    REJECTED = "rejected", "Orientation refusée"
    WITHDRAWN = "withdrawn", "Orientation retirée"
    # A session
    UNDONE = "undone", "Séance annulée"
    # A statement
    COMPLETED = "completed", "Relevé complété"
    VALIDATED = "validated", "Relevé validé"
    PAID = "paid", "Relevé payé"
    SEPA_EXPORTED = "sepa_exported", "Virement SEPA produit"
    # An engineering expense of the operator
    EXPENSE_RECORDED = "expense_recorded", "Dépense d'ingénierie enregistrée"


# The actions each subject may have; the database refuses any other pair.
ACTIONS_BY_SUBJECT: dict[SubjectType, tuple[Action, ...]] = {
    SubjectType.PASS: (
        Action.GENERATED,
        Action.IMPORTED,
        Action.ASSIGNED,
        Action.CANCELLED,
        Action.ISSUED_AS_REPLACEMENT,
        Action.EXPIRED,
        Action.REDEEMED,
        Action.REDEMPTION_UNDONE,
        Action.REIMBURSED,
    ),
    SubjectType.CHECKBOOK: (
        Action.ISSUED,
        Action.PASSES_REPLACED,
        Action.PRINTED,
        Action.REMINDED,
    ),
    SubjectType.REFERRAL: (
        Action.CREATED,
        Action.PRESCRIBED,
        Action.REJECTED,
        Action.WITHDRAWN,
    ),
    SubjectType.PRESCRIPTION: (Action.CREATED,),
    SubjectType.BENEFICIARY: (Action.CREATED,),
    SubjectType.SESSION: (Action.CREATED, Action.UNDONE),
    SubjectType.STATEMENT: (
        Action.CREATED,
        Action.COMPLETED,
        Action.VALIDATED,
        Action.PAID,
        Action.SEPA_EXPORTED,
    ),
    SubjectType.ENGINEERING_EXPENSE: (Action.EXPENSE_RECORDED,),
}
