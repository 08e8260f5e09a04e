from dataclasses import dataclass

from django.db.models import Count, Sum

from passnum.programmes.budget import Budget, budget_of

from .enums import COMMITTED, CONSUMED, IN_LEDGER, PassStatus
from .models import Pass


@dataclass(frozen=True)
class Ledger:
    """Counts and values of a programme's passes by status."""

    counts: dict[str, int]
    cents: dict[str, int]

    def count(self, *statuses) -> int:
        return sum(self.counts[s] for s in statuses)

    def value(self, *statuses) -> int:
        return sum(self.cents[s] for s in statuses)


def ledger_of(programme, *, using=None) -> Ledger:
    """One query: how many passes, and worth how much, in each status. ``using``: the database
    to read (a replica for reports)."""
    counts = dict.fromkeys(PassStatus.values, 0)
    cents = dict.fromkeys(PassStatus.values, 0)
    rows = (
        Pass.objects.using(using)
        .filter(programme=programme)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), total=Sum("value_cents"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
        cents[row["status"]] = row["total"] or 0
    return Ledger(counts, cents)


def budget_for(programme, ledger: Ledger | None = None, *, using=None) -> Budget:
    """The programme's budget figures (``programmes.budget``), with what the ledger says."""
    ledger = ledger or ledger_of(programme, using=using)
    return budget_of(
        programme,
        committed_cents=ledger.value(*COMMITTED),
        consumed_cents=ledger.value(*CONSUMED),
        ledger_cents=ledger.value(*IN_LEDGER),
        in_stock=ledger.count(PassStatus.AVAILABLE),
    )
