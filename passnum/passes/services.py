"""Business rules of the pass ledger. Every change runs in a transaction, under row locks,
and is written to the journal."""

import datetime
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from passnum.common.exceptions import Conflict, InvalidInput
from passnum.journal.enums import Action
from passnum.journal.services import record
from passnum.organisations.permissions import Capability, ensure_can
from passnum.programmes.services import lock_programme

from . import codes, keys, transitions
from .enums import PassSource
from .exceptions import BudgetExhausted, PassExpired, PassNotUnused, StockLimitExceeded
from .models import Checkbook, Pass
from .selectors import budget_for

SERIAL_DIGITS = 6


def serial_prefix(programme, today: datetime.date) -> str:
    return f"{programme.territory_code}-{today.year}-"


def _next_sequence(prefix: str) -> int:
    pattern = rf"^{re.escape(prefix)}[0-9]{{{SERIAL_DIGITS}}}$"
    last = (
        Pass.objects.filter(serial__regex=pattern)
        .order_by("-serial")
        .values_list("serial", flat=True)
    ).first()
    return int(last[len(prefix) :]) + 1 if last else 1


def _new_passes(programme, count: int, today) -> list[Pass]:
    prefix = serial_prefix(programme, today)
    start = _next_sequence(prefix)
    if start + count - 1 >= 10**SERIAL_DIGITS:
        raise InvalidInput(f"Les numéros de série {prefix}… sont épuisés pour cette année.")
    new_codes: list[str] = []
    while len(new_codes) < count:
        code = codes.generate()
        if code not in new_codes:
            new_codes.append(code)
    return [
        Pass(
            programme=programme,
            serial=f"{prefix}{start + i:0{SERIAL_DIGITS}d}",
            code_digest=keys.digest(code),
            code_encrypted=keys.encrypt(code),
            value_cents=programme.pass_value_cents,
            source=PassSource.GENERATED,
        )
        for i, code in enumerate(new_codes)
    ]


def ensure_budget_buys(programme, count: int) -> None:
    budget = budget_for(programme)
    if count > budget.passes_purchasable:
        raise StockLimitExceeded(
            f"Le budget des pass ne permet pas d'en ajouter {count} : il en achète "
            f"{budget.passes_total} en tout et {budget.passes_purchasable} de plus au plus."
        )


def generate_passes(
    programme, count: int, *, actor=None, today=None, origin: dict | None = None
) -> list[Pass]:
    """Add ``count`` available passes to the programme's stock, within what its budget buys.

    ``origin`` (e.g. the command and the system user) goes to the journal with each pass.
    """
    if actor is not None:
        ensure_can(actor, Capability.MANAGE_PROGRAMME, programme=programme)
    if not isinstance(count, int) or count < 1:
        raise InvalidInput("Le nombre de pass à générer doit être un entier supérieur à zéro.")
    today = today or timezone.localdate()
    with transaction.atomic():
        programme = lock_programme(programme)
        ensure_budget_buys(programme, count)
        try:
            with transaction.atomic():
                passes = Pass.objects.bulk_create(
                    _new_passes(programme, count, today), batch_size=1000
                )
        except IntegrityError as exc:  # another programme of the territory numbered them first
            raise Conflict(
                "Des numéros de série viennent d'être pris par une autre génération de pass : "
                "relancez la commande."
            ) from exc
        transitions.record_births(actor, passes, Action.GENERATED, data=origin)
    return passes


def assign_checkbook(actor, programme, beneficiary, *, today) -> Checkbook:
    """Take a checkbook's worth of passes from the stock for ``beneficiary``.

    Called by the prescription, inside its transaction, with the programme's row locked.
    """
    size = programme.passes_per_checkbook
    budget = budget_for(programme)
    if not budget.can_cover_checkbook:
        raise BudgetExhausted(
            "Le budget disponible ne couvre plus un chéquier : la prescription est refusée."
        )
    passes = list(
        Pass.objects.in_stock(today).filter(programme=programme).select_for_update()[:size]
    )
    if len(passes) < size:
        raise BudgetExhausted(
            "Le stock de pass disponibles ne couvre plus un chéquier : générez ou importez "
            "des pass avant de prescrire."
        )
    # Never beyond the programme's own end: its budget closes then.
    end = min(today + timedelta(days=programme.validity_days), programme.ends_on)
    ends = [min(end, p.stock_expires_on) if p.stock_expires_on else end for p in passes]
    last_number = Checkbook.objects.filter(programme=programme).aggregate(n=Max("number"))["n"]
    checkbook = Checkbook.objects.create(
        programme=programme,
        number=(last_number or 0) + 1,
        beneficiary=beneficiary,
        issued_on=today,
        expires_on=min(ends),
    )
    for pass_, pass_end in zip(passes, ends, strict=True):
        pass_.checkbook = checkbook
        pass_.expires_on = pass_end
    transitions.move_passes(
        actor,
        passes,
        transitions.ASSIGN,
        fields=("checkbook", "expires_on"),
        data={"checkbook": checkbook.number},
    )
    record(actor, checkbook, Action.ISSUED, data={"passes": [p.serial for p in passes]})
    return checkbook


def cancel_and_replace(actor, checkbook, serials, reason: str, *, today=None) -> list[Pass]:
    """Cancel lost or stolen unused passes of a checkbook and issue their replacements.

    A replacement takes over the commitment of the pass it replaces: same value, same end
    date, same checkbook; no new budget is committed.
    """
    ensure_can(actor, Capability.REPLACE_LOST_PASSES, programme=checkbook.programme)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Indiquez le motif de l'annulation (perte, vol…).", field="reason")
    serials = sorted(set(serials))
    if not serials:
        raise InvalidInput("Choisissez au moins un pass à annuler.", field="serials")
    today = today or timezone.localdate()
    with transaction.atomic():
        programme = lock_programme(checkbook.programme)
        old = {
            p.serial: p
            for p in Pass.objects.select_for_update().filter(
                checkbook=checkbook, serial__in=serials
            )
        }
        unknown = [s for s in serials if s not in old]
        if unknown:
            raise InvalidInput(
                f"Ces pass n'appartiennent pas au chéquier n° {checkbook.number} : "
                f"{', '.join(unknown)}."
            )
        past = [
            s
            for s in serials
            if old[s].is_unused and not transitions.usable_for_new_session(old[s], today)
        ]
        if past:
            raise PassExpired(
                f"Ces pass ont dépassé leur fin de validité et ne peuvent plus être remplacés : "
                f"{', '.join(past)}."
            )
        used = [s for s in serials if not old[s].is_unused]
        if used:
            raise PassNotUnused(
                "Seuls les pass attribués et non utilisés peuvent être annulés ; ce n'est pas "
                f"le cas de : {', '.join(used)}."
            )
        cancelled = [old[s] for s in serials]
        replacements = transitions.issue_replacements(
            actor,
            cancelled,
            _new_passes(programme, len(cancelled), today),
            reason=reason,
            data_of=lambda new, lost: {"replaces": lost.serial, "checkbook": checkbook.number},
        )
        record(
            actor,
            checkbook,
            Action.PASSES_REPLACED,
            reason=reason,
            data={"cancelled": serials, "replacements": [p.serial for p in replacements]},
        )
    return replacements


def record_printing(actor, checkbook, document_format: str) -> None:
    """Journal each printing of a checkbook (its codes are shown again)."""
    ensure_can(actor, Capability.PRINT_CHECKBOOK, programme=checkbook.programme)
    with transaction.atomic():
        record(actor, checkbook, Action.PRINTED, data={"format": document_format})
