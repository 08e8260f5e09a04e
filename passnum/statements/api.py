"""Statements over the API. Routes stay thin: the services decide."""

import datetime

from ninja import Query, Router, Schema, Status
from pydantic import Field

from passnum.api.schemas import Error, Id, InvalidInputOut, Pagination, Ref, StrictSchema
from passnum.organisations.permissions import Capability, ensure_can

from .models import StatementStatus
from .selectors import statement_for, statements_visible_to
from .services import REFERENCE_MAX, generate_statements, pay_statement, validate_statement

# A month, « AAAA-MM ». Stated for the clients; ``parse_period`` refuses anything else with
# ``invalid_period``.
PERIOD = {"pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"}

router = Router(tags=["Relevés de remboursement"])


class StatementItem(Schema):
    id: int
    provider: Ref
    period: str = Field(json_schema_extra=PERIOD, description="Mois du relevé, AAAA-MM.")
    status: StatementStatus
    passes_count: int
    amount_cents: int


class StatementPage(Schema):
    items: list[StatementItem]
    count: int


class StatementList(Schema):
    items: list[StatementItem]


class StatementFilters(Pagination):
    status: StatementStatus | None = Field(
        default=None, description=f"Statut : {', '.join(StatementStatus.values)}."
    )
    period: str | None = Field(
        default=None, json_schema_extra=PERIOD, description="Mois, AAAA-MM."
    )


class GenerateIn(StrictSchema):
    period: str = Field(
        json_schema_extra=PERIOD, description="Mois à relever, AAAA-MM (pas dans le futur)."
    )


class PayIn(StrictSchema):
    paid_on: datetime.date = Field(
        description="Date du paiement (ni future, ni avant validation)."
    )
    reference: str = Field(
        json_schema_extra={"minLength": 1, "maxLength": REFERENCE_MAX},
        description=f"Référence du paiement ({REFERENCE_MAX} caractères au plus).",
    )


def _item(statement) -> dict:
    return {
        "id": statement.pk,
        "provider": {"id": statement.organisation.pk, "name": statement.organisation.name},
        "period": f"{statement.period:%Y-%m}",
        "status": statement.status,
        "passes_count": statement.passes_count,
        "amount_cents": statement.amount_cents,
    }


@router.get(
    "/statements",
    response={200: StatementPage, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Relevés de remboursement",
    description="Une structure de médiation voit les siens ; le pilote, tous ceux du programme. "
    "Du mois le plus récent au plus ancien.",
)
def list_statements(request, filters: Query[StatementFilters]):
    statements = statements_visible_to(request.auth, status=filters.status, period=filters.period)
    page = statements[filters.offset : filters.offset + filters.limit]
    return {"items": [_item(s) for s in page], "count": statements.count()}


@router.post(
    "/statements/generate",
    response={201: StatementList, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Établir les relevés d'un mois (pilote)",
    description="Un brouillon par structure sur ses pass encaissés jusqu'à la fin du mois et pas "
    "encore relevés ; un brouillon existant du mois est complété. Renvoie les relevés créés ou "
    "complétés (liste éventuellement vide). 422 `invalid_period`, `period_in_future`.",
)
def generate(request, payload: GenerateIn):
    actor = request.auth
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    made = generate_statements(actor, payload.period)
    visible = statements_visible_to(actor).filter(pk__in=[s.pk for s in made])
    return Status(201, {"items": [_item(s) for s in visible]})


@router.post(
    "/statements/{statement_id}/validate",
    response={200: StatementItem, 401: Error, 403: Error, 404: Error, 409: Error},
    summary="Valider un relevé (pilote)",
    description="409 `not_draft`, `empty_statement`, `no_bank_details` (la structure n'a pas "
    "saisi ses coordonnées bancaires).",
)
def validate(request, statement_id: Id):
    actor = request.auth
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    validate_statement(actor, statement_for(actor, statement_id))
    return _item(statement_for(actor, statement_id))


@router.post(
    "/statements/{statement_id}/pay",
    response={
        200: StatementItem,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: InvalidInputOut,
    },
    summary="Enregistrer le paiement d'un relevé validé (pilote)",
    description="Les pass du relevé deviennent « remboursés ». 409 `not_validated` ; 422 "
    "`paid_on_in_future`, `paid_before_validation`, `reference_required`.",
)
def pay(request, statement_id: Id, payload: PayIn):
    actor = request.auth
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    pay_statement(actor, statement_for(actor, statement_id), payload.paid_on, payload.reference)
    return _item(statement_for(actor, statement_id))
