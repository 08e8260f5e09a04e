from dataclasses import dataclass

from django.db.models import Count, Sum

from passnum.programmes.budget import Budget, budget_of

from .enums import COMMITTED, CONSUMED, PassStatus
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


def ledger_of(programme) -> Ledger:
    """One query: how many passes, and worth how much, in each status."""
    counts = dict.fromkeys(PassStatus.values, 0)
    cents = dict.fromkeys(PassStatus.values, 0)
    rows = (
        Pass.objects.filter(programme=programme)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), total=Sum("value_cents"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
        cents[row["status"]] = row["total"] or 0
    return Ledger(counts, cents)


def budget_for(programme, ledger: Ledger | None = None) -> Budget:
    """The programme's budget, with committed and consumed read from its passes."""
    ledger = ledger or ledger_of(programme)
    return budget_of(
        programme,
        committed_cents=ledger.value(*COMMITTED),
        consumed_cents=ledger.value(*CONSUMED),
    )
