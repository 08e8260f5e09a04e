"""The programme's indicators over the API (the Département and the operator)."""

from ninja import Router, Schema
from pydantic import Field

from passnum.api.schemas import Error
from passnum.referential.enums import Public, Service

from .selectors import stats_for

router = Router(tags=["Indicateurs"])


class BudgetOut(Schema):
    envelope_cents: int
    engineering_cents: int
    pass_budget_cents: int
    passes_total: int
    committed_cents: int
    consumed_cents: int
    available_cents: int


class PassesOut(Schema):
    available: int
    assigned: int
    redeemed: int
    reimbursed: int
    expired: int
    cancelled: int


class StatsOut(Schema):
    budget: BudgetOut
    passes: PassesOut
    usage_rate: float = Field(
        ge=0,
        le=1,
        description="Pass encaissés ou remboursés sur pass attribués (hors annulés), de 0 à 1.",
    )
    by_public: dict[Public, int] = Field(
        description="Orientations prescrites par public prioritaire (tous les codes)."
    )
    by_service: dict[Service, int] = Field(
        description="Orientations prescrites par besoin (tous les codes de services)."
    )


@router.get(
    "/stats",
    response={200: StatsOut, 401: Error, 403: Error},
    summary="Indicateurs du programme",
)
def stats(request):
    figures = stats_for(request.auth)
    budget = figures.budget
    return {
        "budget": {
            "envelope_cents": budget.envelope_cents,
            "engineering_cents": budget.engineering_cents,
            "pass_budget_cents": budget.pass_budget_cents,
            "passes_total": budget.passes_total,
            "committed_cents": budget.committed_cents,
            "consumed_cents": budget.consumed_cents,
            "available_cents": budget.available_cents,
        },
        "passes": figures.passes,
        "usage_rate": figures.usage_rate,
        "by_public": figures.by_public,
        "by_service": figures.by_service,
    }
