"""Business rules of programmes, their funders and their engineering expenses."""

import datetime

from django.db import transaction
from django.utils import timezone

from passnum.common.formats import euros_with_cents
from passnum.journal.enums import Action
from passnum.journal.services import record
from passnum.organisations.permissions import Capability, ensure_can

from .exceptions import EngineeringShareExceeded, FunderSharesExceedWhole, InvalidExpense
from .models import (
    LABEL_MAX,
    MAX_EXPENSE_CENTS,
    REFERENCE_MAX,
    SUPPLIER_MAX,
    EngineeringExpense,
    Funder,
    Programme,
    engineering_spent_cents,
)


def lock_programme(programme) -> Programme:
    """Lock the programme's row: budget, stock and numbering change one at a time."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


@transaction.atomic
def set_funder(
    actor, programme: Programme, *, name: str, kind: str, share_basis_points: int
) -> Funder:
    """Create or update a funder; the shares of a programme never exceed 100 %."""
    ensure_can(actor, Capability.MANAGE_PROGRAMME, programme=programme)
    programme = lock_programme(programme)
    others = sum(programme.funders.exclude(name=name).values_list("share_basis_points", flat=True))
    if others + share_basis_points > 10_000:
        raise FunderSharesExceedWhole(
            "La somme des parts des financeurs atteindrait "
            f"{(others + share_basis_points) / 100:g} %, au-delà de 100 %."
        )
    funder, _ = Funder.objects.update_or_create(
        programme=programme,
        name=name,
        defaults={"kind": kind, "share_basis_points": share_basis_points},
    )
    return funder


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidExpense(f"{label} doit être un texte.", field=field)
    text = (value or "").strip()
    if required and not text:
        raise InvalidExpense(f"Indiquez {label.lower()}.", code=f"{field}_required", field=field)
    if len(text) > limit:
        raise InvalidExpense(f"{label} : {limit} caractères au plus.", field=field)
    return text


def _check_amount(amount_cents) -> int:
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise InvalidExpense(
            "Le montant doit être un nombre entier de centimes.",
            code="invalid_amount",
            field="amount_cents",
        )
    if amount_cents <= 0:
        raise InvalidExpense(
            "Le montant d'une dépense doit être supérieur à zéro.",
            code="invalid_amount",
            field="amount_cents",
        )
    if amount_cents > MAX_EXPENSE_CENTS:
        raise InvalidExpense(
            f"Le montant dépasse {euros_with_cents(MAX_EXPENSE_CENTS)} : vérifiez la saisie.",
            code="invalid_amount",
            field="amount_cents",
        )
    return amount_cents


def _check_date(programme, spent_on, today: datetime.date) -> datetime.date:
    if not isinstance(spent_on, datetime.date):
        raise InvalidExpense(
            "Indiquez la date de la dépense.", code="invalid_date", field="spent_on"
        )
    if spent_on > today:
        raise InvalidExpense(
            "La date de la dépense est dans le futur : enregistrez une dépense une fois faite.",
            code="date_in_future",
            field="spent_on",
        )
    if not programme.starts_on <= spent_on <= programme.ends_on:
        raise InvalidExpense(
            f"La date de la dépense doit être comprise dans le programme, du "
            f"{programme.starts_on:%d/%m/%Y} au {programme.ends_on:%d/%m/%Y}.",
            code="date_outside_programme",
            field="spent_on",
        )
    return spent_on


def record_expense(
    actor,
    *,
    spent_on: datetime.date,
    label: str,
    amount_cents: int,
    supplier: str = "",
    reference: str = "",
    today: datetime.date | None = None,
) -> EngineeringExpense:
    """Record an engineering expense of the operator against its programme's engineering share;
    refused (``EngineeringShareExceeded``) when the expenses would add up beyond the share.
    Under the programme's row lock: two expenses recorded at once are checked one after the
    other (the database trigger ``engineering_within_share`` holds the same rule)."""
    ensure_can(actor, Capability.MANAGE_PROGRAMME)
    today = today or timezone.localdate()
    label = _text(label, "label", "L'objet de la dépense", LABEL_MAX, required=True)
    supplier = _text(supplier, "supplier", "Le fournisseur", SUPPLIER_MAX)
    reference = _text(reference, "reference", "La référence", REFERENCE_MAX)
    amount_cents = _check_amount(amount_cents)
    with transaction.atomic():
        programme = lock_programme(actor.programme)
        spent_on = _check_date(programme, spent_on, today)
        spent = engineering_spent_cents(programme)
        share = programme.engineering_cents
        if spent + amount_cents > share:
            raise EngineeringShareExceeded(
                f"Cette dépense de {euros_with_cents(amount_cents)} dépasserait la part "
                f"ingénierie du programme ({euros_with_cents(share)}) : "
                f"{euros_with_cents(spent)} déjà dépensés, il reste "
                f"{euros_with_cents(share - spent)}.",
                field="amount_cents",
            )
        expense = EngineeringExpense.objects.create(
            programme=programme,
            spent_on=spent_on,
            label=label,
            amount_cents=amount_cents,
            supplier=supplier,
            reference=reference,
            created_by=actor.user,
        )
        record(
            actor,
            expense,
            Action.EXPENSE_RECORDED,
            data={
                "spent_on": spent_on.isoformat(),
                "amount_cents": amount_cents,
                "spent_cents": spent + amount_cents,
                "share_cents": share,
            },
        )
    return expense
