"""Passes past their end: expired by ``passnum daily``, safe to run twice (a pass already
expired is not touched again)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from passnum.journal.enums import Action
from passnum.journal.services import record_many

from .enums import PassStatus
from .models import Pass

# A provider may declare a redemption up to this many days after a pass's end date; the pass
# expires only after that.
REDEMPTION_GRACE_DAYS = 30
BATCH = 1000


@dataclass(frozen=True)
class ExpiryResult:
    expired: int  # assigned passes past their end date plus the grace, now expired
    stale_stock: int  # available passes past their operator's end date, now expired


def expire_passes(today: datetime.date) -> ExpiryResult:
    """Expire the assigned passes whose end date plus the grace is past, in every programme.

    Their commitment goes back to the available budget by itself (the budget reads the
    ledger). One journal entry per pass, without an actor (a scheduled task).

    Available passes past the end date their external operator set (``stock_expires_on``)
    expire too: they leave the stock, and the room they took in the pass budget.
    """
    limit = today - datetime.timedelta(days=REDEMPTION_GRACE_DAYS)
    with transaction.atomic():
        passes = list(
            Pass.objects.select_for_update()
            .filter(status=PassStatus.ASSIGNED, expires_on__lt=limit)
            .order_by("pk")
            .only("pk", "programme_id", "status", "expires_on")
        )
        now = timezone.now()
        for start in range(0, len(passes), BATCH):
            ids = [p.pk for p in passes[start : start + BATCH]]
            Pass.objects.filter(pk__in=ids, status=PassStatus.ASSIGNED).update(
                status=PassStatus.EXPIRED, updated_at=now
            )
        record_many(
            None,
            passes,
            Action.EXPIRED,
            before=PassStatus.ASSIGNED,
            after=PassStatus.EXPIRED,
            data={"reason": "end_date"},
        )
        stale = list(
            Pass.objects.select_for_update()
            .filter(status=PassStatus.AVAILABLE, stock_expires_on__lt=today)
            .order_by("pk")
            .only("pk", "programme_id", "status")
        )
        for start in range(0, len(stale), BATCH):
            ids = [p.pk for p in stale[start : start + BATCH]]
            Pass.objects.filter(pk__in=ids, status=PassStatus.AVAILABLE).update(
                status=PassStatus.EXPIRED, updated_at=now
            )
        record_many(
            None,
            stale,
            Action.EXPIRED,
            before=PassStatus.AVAILABLE,
            after=PassStatus.EXPIRED,
            data={"reason": "stock_end_date"},
        )
    return ExpiryResult(expired=len(passes), stale_stock=len(stale))
