"""The life of a pass, in one place: the moves allowed between its statuses, the status that
holds on a given day, and the functions that move passes and journal each move.

    move            from                 to
    assign          available        →   assigned     (prescription: into a checkbook)
    redeem          assigned         →   redeemed     (a session at a provider)
    undo            redeemed         →   assigned     (the session undone within 48 hours)
    undo_too_late   redeemed         →   expired      (… when the pass is past its end)
    reimburse       redeemed         →   reimbursed   (its statement paid)
    expire          assigned         →   expired      (past its end and the grace)
    expire_stock    available        →   expired      (past its external operator's end)
    cancel          assigned         →   cancelled    (lost or stolen, then replaced)

A pass is born ``available`` (generated or imported) or ``assigned`` when it replaces a lost
one (``issue_replacements``). ``reimbursed``, ``expired`` and ``cancelled`` are ends. Only this
module writes ``Pass.status``: a test reads the code to make sure of it, and the database refuses
any change that is not in ``ALLOWED`` (triggers built from this table, see ``triggers.py``).

Callers lock the passes (``select_for_update``) in their transaction before moving them; the
update is guarded by the status each pass was read with, so the journal's ``before`` is the
real one.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from passnum.common import sql
from passnum.common.exceptions import Conflict
from passnum.journal.enums import Action
from passnum.journal.services import journal_entry, record_many

from .enums import PassStatus
from .models import Pass

S = PassStatus


@dataclass(frozen=True)
class Move:
    """A named change of status: from any of ``sources`` to ``target``, journaled as
    ``action``."""

    name: str
    action: Action
    sources: frozenset[PassStatus]
    target: PassStatus

    def allows(self, status) -> bool:
        return status in self.sources


ASSIGN = Move("assign", Action.ASSIGNED, frozenset({S.AVAILABLE}), S.ASSIGNED)
CANCEL = Move("cancel", Action.CANCELLED, frozenset({S.ASSIGNED}), S.CANCELLED)
EXPIRE = Move("expire", Action.EXPIRED, frozenset({S.ASSIGNED}), S.EXPIRED)
EXPIRE_STOCK = Move("expire_stock", Action.EXPIRED, frozenset({S.AVAILABLE}), S.EXPIRED)
REDEEM = Move("redeem", Action.REDEEMED, frozenset({S.ASSIGNED}), S.REDEEMED)
UNDO = Move("undo", Action.REDEMPTION_UNDONE, frozenset({S.REDEEMED}), S.ASSIGNED)
UNDO_TOO_LATE = Move("undo_too_late", Action.REDEMPTION_UNDONE, frozenset({S.REDEEMED}), S.EXPIRED)
REIMBURSE = Move("reimburse", Action.REIMBURSED, frozenset({S.REDEEMED}), S.REIMBURSED)

MOVES = (ASSIGN, CANCEL, EXPIRE, EXPIRE_STOCK, REDEEM, UNDO, UNDO_TOO_LATE, REIMBURSE)

# Every (before, after) pair a pass may go through; the database triggers are built from it.
ALLOWED: frozenset[tuple[PassStatus, PassStatus]] = frozenset(
    (source, move.target) for move in MOVES for source in move.sources
)
# How a pass may be born: in stock, or assigned as the replacement of a lost one.
BORN = (S.AVAILABLE,)
BORN_AS_REPLACEMENT = S.ASSIGNED


class IllegalMove(Conflict):
    """A pass is not in a status this move starts from (another request moved it first)."""

    code = "illegal_move"
    message = "Ce pass a changé d'état entre-temps : recommencez."


# The status that holds on a day ------------------------------------------------------------


def last_redemption_day(pass_, grace_days: int) -> datetime.date:
    """The last day a provider may still declare a session held before the pass's end."""
    return pass_.expires_on + datetime.timedelta(days=grace_days)


def status_on(pass_, day: datetime.date, grace_days: int) -> PassStatus:
    """The pass's status on ``day``: an assigned pass past its end date and the grace is
    expired, even before ``passnum daily`` records it."""
    status = PassStatus(pass_.status)
    if status == S.ASSIGNED and day > last_redemption_day(pass_, grace_days):
        return S.EXPIRED
    return status


def usable_for_new_session(pass_, day: datetime.date) -> bool:
    """Whether the holder can still attend a session with it: assigned and not past its end
    (the grace only lets a provider declare a session held before the end)."""
    return pass_.status == S.ASSIGNED and day <= pass_.expires_on


def usable_for_new_session_q(day: datetime.date, prefix: str = "") -> Q:
    """``usable_for_new_session`` as a query filter, for the passes reached by ``prefix``
    (``"passes__"`` from a checkbook, say)."""
    return Q(**{f"{prefix}status": S.ASSIGNED, f"{prefix}expires_on__gte": day})


# Moving passes -----------------------------------------------------------------------------


def _check(passes, move: Move) -> None:
    wrong = [p.serial for p in passes if not move.allows(p.status)]
    if wrong:
        raise IllegalMove(
            f"Passage « {move.name} » impossible depuis l'état actuel de : {', '.join(wrong)}."
        )


def move_passes(
    actor,
    passes: list[Pass],
    move: Move,
    *,
    fields: tuple[str, ...] = (),
    reason: str = "",
    data: dict | None = None,
    now=None,
) -> list[Pass]:
    """Move ``passes`` (locked by the caller in this transaction) and journal each move with
    the status it left. ``fields`` names other fields the caller set on the instances, written
    with the status (the checkbook and end date of an assignment).

    Raises ``IllegalMove`` when a pass is not in a status the move starts from, or when the
    database says another transaction moved it since it was read.
    """
    if not passes:
        return passes
    _check(passes, move)
    now = now or timezone.now()
    by_before: dict[str, list[Pass]] = defaultdict(list)
    for pass_ in passes:
        by_before[pass_.status].append(pass_)
    with transaction.atomic(savepoint=False):
        for before, group in by_before.items():
            _write(group, before, move.target, fields, now)
            record_many(
                actor,
                group,
                move.action,
                before=before,
                after=move.target,
                reason=reason,
                data=data,
            )
    return passes


def _write(group: list[Pass], before, target, fields, now) -> None:
    ids = [p.pk for p in group]
    if fields:
        for pass_ in group:
            pass_.status = target
            pass_.updated_at = now
        # The guard (status still ``before``) is the lock's: the rows are locked by the caller.
        Pass.objects.bulk_update(group, ["status", "updated_at", *fields], batch_size=1000)
        return
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        moved = Pass.objects.filter(pk__in=chunk, status=before).update(
            status=target, updated_at=now
        )
        if moved != len(chunk):
            raise IllegalMove()
    for pass_ in group:
        pass_.status = target
        pass_.updated_at = now


def redeem_in_sql(actor, passes: list[Pass], *, now, data: dict):
    """The redemption's hot path (``passnum.redemptions.services``): the same move, ``REDEEM``,
    as a plain-SQL status update and the unsaved journal entries (one per pass), which the
    caller sends in one round trip with its own writes. The passes are locked and checked by
    the caller; the database triggers refuse any other move all the same."""
    _check(passes, REDEEM)
    entries = [
        journal_entry(
            actor, p, REDEEM.action, before=PassStatus(p.status), after=REDEEM.target, data=data
        )
        for p in passes
    ]
    for pass_ in passes:
        pass_.status = REDEEM.target
        pass_.updated_at = now
    update = sql.update_statement(
        Pass, [p.pk for p in passes], status=REDEEM.target, updated_at=now
    )
    return update, entries


def undo_redemptions(
    actor, passes: list[Pass], *, today, grace_days: int, reason: str, data: dict, now=None
):
    """Passes of an undone session become usable again, or expired when past their end and
    the grace (their commitment then goes back to the budget)."""
    late = [p for p in passes if today > last_redemption_day(p, grace_days)]
    in_time = [p for p in passes if p not in late]
    move_passes(actor, in_time, UNDO, reason=reason, data=data, now=now)
    move_passes(actor, late, UNDO_TOO_LATE, reason=reason, data=data, now=now)
    return passes


# Passes born --------------------------------------------------------------------------------


def record_births(actor, passes: list[Pass], action: Action, *, data: dict | None = None):
    """Journal new passes in stock (generated or imported)."""
    wrong = [p.serial for p in passes if p.status not in BORN]
    if wrong:
        raise IllegalMove(f"Un pass naît disponible : {', '.join(wrong)}.")
    record_many(actor, passes, action, after=S.AVAILABLE, data=data)


def issue_replacements(actor, lost: list[Pass], new: list[Pass], *, reason: str, data_of):
    """Cancel ``lost`` (locked, assigned) and bring ``new`` into their checkbook as assigned
    passes that take over their commitment (same value and end date). ``new`` are unsaved
    instances numbered by the caller; ``data_of(new, lost)`` gives each one's journal data."""
    move_passes(actor, lost, CANCEL, reason=reason)
    for replacement, old in zip(new, lost, strict=True):
        replacement.status = BORN_AS_REPLACEMENT
        replacement.checkbook_id = old.checkbook_id
        replacement.expires_on = old.expires_on
        replacement.value_cents = old.value_cents
        replacement.replaces = old
    new = Pass.objects.bulk_create(new)
    for replacement, old in zip(new, lost, strict=True):
        record_many(
            actor,
            [replacement],
            Action.ISSUED_AS_REPLACEMENT,
            after=BORN_AS_REPLACEMENT,
            reason=reason,
            data=data_of(replacement, old),
        )
    return new
