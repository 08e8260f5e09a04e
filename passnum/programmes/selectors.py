from dataclasses import dataclass

from django.utils import timezone

from passnum.organisations.permissions import Capability, ensure_can

from .budget import Budget, budget_of, split_between_funders
from .models import EngineeringExpense, Funder, Programme, engineering_spent_cents


@dataclass(frozen=True)
class FunderShare:
    funder: Funder
    of_envelope_cents: int
    of_consumed_cents: int


@dataclass(frozen=True)
class ProgrammeOverview:
    programme: Programme
    budget: Budget
    funders: list[FunderShare]

    @property
    def engineering_percent(self) -> float:
        return round(100 * self.budget.engineering_cents / self.budget.envelope_cents, 2)


def programme_overview(
    programme: Programme, budget: Budget | None = None, *, using=None
) -> ProgrammeOverview:
    """A programme's budget figures and each funder's share.

    ``budget`` carries the committed and consumed amounts read from the pass ledger
    (``passes.selectors.budget_for``); without it they count as zero. ``using``: the database
    to read (a replica for reports).
    """
    budget = budget or budget_of(programme)
    funders = list(Funder.objects.using(using).filter(programme=programme))
    of_envelope = split_between_funders(budget.envelope_cents, funders)
    of_consumed = {
        f.pk: cents for f, cents in split_between_funders(budget.consumed_cents, funders)
    }
    return ProgrammeOverview(
        programme=programme,
        budget=budget,
        funders=[FunderShare(f, cents, of_consumed[f.pk]) for f, cents in of_envelope],
    )


def programme_for(commune, programmes) -> Programme | None:
    """The programme of the commune's department running today, else its latest one."""
    today = timezone.localdate()
    own = [p for p in programmes if p.territory_code == commune.department_code]
    running = [p for p in own if p.starts_on <= today <= p.ends_on]
    return max(running or own, key=lambda p: p.starts_on, default=None)


@dataclass(frozen=True)
class EngineeringTotals:
    share_cents: int  # the programme's engineering share
    spent_cents: int  # what its expenses add up to

    @property
    def left_cents(self) -> int:
        return self.share_cents - self.spent_cents


def engineering_totals(programme: Programme, *, using=None) -> EngineeringTotals:
    """The engineering share, what was spent from it and what is left (one query)."""
    return EngineeringTotals(
        programme.engineering_cents, engineering_spent_cents(programme, using=using)
    )


def engineering_expenses_of(actor):
    """The engineering expenses of the actor's programme, the most recent first (the operator:
    ``MANAGE_PROGRAMME``)."""
    ensure_can(actor, Capability.MANAGE_PROGRAMME)
    return EngineeringExpense.objects.filter(programme=actor.programme).select_related(
        "created_by"
    )
