"""The treasurer's SEPA credit-transfer file (pain.001.001.03) for validated statements."""

from django.db.models import Count, Q, Sum
from django.utils import timezone
from sepaxml import SepaTransfer

from passnum.common.exceptions import Conflict, InvalidInput

from .models import Statement, StatementStatus

SCHEMA = "pain.001.001.03"


def description_of(statement) -> str:
    return f"Pass numérique relevé {statement.period:%m/%Y} n° {statement.pk}"


def sepa_credit_transfer(programme, statements, execution_date) -> bytes:
    """One transfer per validated statement, from the programme's payer account to the
    provider's. Refuses (and produces nothing) when anything is missing."""
    missing = [
        label
        for label, value in (
            ("titulaire", programme.payer_name),
            ("IBAN", programme.payer_iban),
            ("BIC", programme.payer_bic),
        )
        if not value
    ]
    if missing:
        raise InvalidInput(
            "Le compte payeur du programme est incomplet ("
            + ", ".join(missing)
            + ") : complétez-le avant de produire un virement.",
            code="payer_missing",
        )
    if execution_date is None or execution_date < timezone.localdate():
        raise InvalidInput(
            "La date d'exécution du virement ne peut pas être dans le passé.",
            code="execution_date_in_past",
            field="execution_date",
        )
    ids = [s.pk for s in statements]
    if not ids:
        raise InvalidInput(
            "Choisissez au moins un relevé validé.", code="no_statements", field="statements"
        )
    live = Q(redemptions__undone_at__isnull=True)
    chosen = list(
        Statement.objects.filter(pk__in=ids, programme=programme)
        .select_related("organisation")
        .annotate(
            passes_count=Count("redemptions", filter=live),
            amount_cents=Sum("redemptions__pass_obj__value_cents", filter=live),
        )
        .order_by("pk")
    )
    refused = [s for s in chosen if s.status != StatementStatus.VALIDATED]
    if len(chosen) != len(set(ids)) or refused:
        raise Conflict(
            "Seuls les relevés validés et non encore payés du programme peuvent être virés"
            + (" : " + ", ".join(f"n° {s.pk}" for s in refused) if refused else "")
            + ".",
            code="not_validated",
        )
    sepa = SepaTransfer(
        {
            "name": programme.payer_name,
            "IBAN": programme.payer_iban.replace(" ", ""),
            "BIC": programme.payer_bic,
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
        clean=True,
    )
    for statement in chosen:
        # The account copied when the statement was validated, never the current one.
        sepa.add_payment(
            {
                "name": statement.payee_name,
                "IBAN": statement.payee_iban.replace(" ", ""),
                "BIC": statement.payee_bic,
                "amount": int(statement.amount_cents or 0),
                "execution_date": execution_date,
                # SEPA's character set has no « ° »: the library would write « ndeg ».
                "description": description_of(statement).replace("n°", "no"),
                "endtoend_id": f"PASSNUM-{statement.pk}",
            }
        )
    return sepa.export(validate=True)
