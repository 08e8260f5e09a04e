"""Passes past their end: expired by ``passnum daily``, safe to run twice (a pass already
expired is not touched again)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from passnum.programmes.models import Programme

from . import transitions
from .enums import PassStatus
from .models import Pass


@dataclass(frozen=True)
class ExpiryResult:
    expired: int  # assigned passes past their end date plus the grace, now expired
    stale_stock: int  # available passes past their operator's end date, now expired


def expire_passes(today: datetime.date) -> ExpiryResult:
    """Expire, in every programme, the assigned passes whose end date plus the programme's grace
    is past: their commitment goes back to the available budget by itself (the budget reads the
    ledger). One journal entry per pass, without an actor (a scheduled task).

    Available passes past the end date their external operator set (``stock_expires_on``)
    expire too: they leave the stock, and the room they took in the pass budget.
    """
    expired = stale = 0
    now = timezone.now()
    for programme in Programme.objects.order_by("pk"):
        with transaction.atomic():
            limit = today - datetime.timedelta(days=programme.redemption_grace_days)
            passes = list(
                Pass.objects.select_for_update()
                .filter(programme=programme, status=PassStatus.ASSIGNED, expires_on__lt=limit)
                .order_by("pk")
                .only("pk", "programme_id", "serial", "status", "expires_on")
            )
            transitions.move_passes(
                None, passes, transitions.EXPIRE, data={"reason": "end_date"}, now=now
            )
            stock = list(
                Pass.objects.select_for_update()
                .filter(
                    programme=programme, status=PassStatus.AVAILABLE, stock_expires_on__lt=today
                )
                .order_by("pk")
                .only("pk", "programme_id", "serial", "status")
            )
            transitions.move_passes(
                None, stock, transitions.EXPIRE_STOCK, data={"reason": "stock_end_date"}, now=now
            )
        expired += len(passes)
        stale += len(stock)
    return ExpiryResult(expired=expired, stale_stock=stale)
