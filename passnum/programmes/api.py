"""The operator's engineering expenses over the API. Routes stay thin: the services decide."""

import datetime

from ninja import Query, Router, Schema, Status
from pydantic import Field

from passnum.api.schemas import Error, InvalidInputOut, Pagination, StrictSchema

from .models import LABEL_MAX, MAX_EXPENSE_CENTS, REFERENCE_MAX, SUPPLIER_MAX
from .selectors import engineering_expenses_of, engineering_totals
from .services import record_expense

router = Router(tags=["Ingénierie"])


class ExpenseOut(Schema):
    id: int
    spent_on: datetime.date
    label: str
    amount_cents: int
    supplier: str
    reference: str
    created_at: datetime.datetime


class TotalsOut(Schema):
    share_cents: int = Field(description="Part ingénierie du programme.")
    spent_cents: int = Field(description="Total des dépenses d'ingénierie enregistrées.")
    left_cents: int = Field(description="Ce qui reste de la part ingénierie.")


class ExpensePage(Schema):
    items: list[ExpenseOut]
    count: int
    totals: TotalsOut


class ExpenseCreated(ExpenseOut):
    totals: TotalsOut


class ExpenseIn(StrictSchema):
    spent_on: datetime.date = Field(
        description="Date de la dépense (AAAA-MM-JJ) : dans le programme, pas dans le futur."
    )
    label: str = Field(
        json_schema_extra={"minLength": 1, "maxLength": LABEL_MAX},
        description=f"Objet de la dépense ({LABEL_MAX} caractères au plus).",
    )
    amount_cents: int = Field(
        json_schema_extra={"minimum": 1, "maximum": MAX_EXPENSE_CENTS},
        description="Montant en centimes (plus de zéro) ; la somme des dépenses ne dépasse "
        "jamais la part ingénierie du programme (409 `engineering_share_exceeded`).",
    )
    supplier: str = Field(
        default="",
        json_schema_extra={"maxLength": SUPPLIER_MAX},
        description=f"Fournisseur ({SUPPLIER_MAX} caractères au plus).",
    )
    reference: str = Field(
        default="",
        json_schema_extra={"maxLength": REFERENCE_MAX},
        description=f"Référence : facture, bon de commande ({REFERENCE_MAX} caractères au plus).",
    )


def _item(expense) -> dict:
    return {
        "id": expense.pk,
        "spent_on": expense.spent_on,
        "label": expense.label,
        "amount_cents": expense.amount_cents,
        "supplier": expense.supplier,
        "reference": expense.reference,
        "created_at": expense.created_at,
    }


def _totals(programme) -> dict:
    totals = engineering_totals(programme)
    return {
        "share_cents": totals.share_cents,
        "spent_cents": totals.spent_cents,
        "left_cents": totals.left_cents,
    }


@router.get(
    "/engineering-expenses",
    response={200: ExpensePage, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Dépenses d'ingénierie (pilote)",
    description="Les dépenses d'ingénierie du programme, la plus récente d'abord, et les totaux : "
    "part ingénierie, dépensé, reste.",
)
def list_expenses(request, page: Query[Pagination]):
    expenses = engineering_expenses_of(request.auth)
    items = expenses[page.offset : page.offset + page.limit]
    return {
        "items": [_item(e) for e in items],
        "count": expenses.count(),
        "totals": _totals(request.auth.programme),
    }


@router.post(
    "/engineering-expenses",
    response={201: ExpenseCreated, 401: Error, 403: Error, 409: Error, 422: InvalidInputOut},
    summary="Enregistrer une dépense d'ingénierie (pilote)",
    description="201 : la dépense et les totaux après elle. 409 `engineering_share_exceeded` (la "
    "part ingénierie serait dépassée : rien n'est enregistré) ; 422 `invalid_amount`, "
    "`label_required`, `date_in_future`, `date_outside_programme`, `invalid_expense`.",
)
def create_expense(request, payload: ExpenseIn):
    actor = request.auth
    expense = record_expense(
        actor,
        spent_on=payload.spent_on,
        label=payload.label,
        amount_cents=payload.amount_cents,
        supplier=payload.supplier,
        reference=payload.reference,
    )
    return Status(201, {**_item(expense), "totals": _totals(actor.programme)})
