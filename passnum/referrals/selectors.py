from dataclasses import dataclass

from django.db.models import Count, Q

from passnum.common.exceptions import InvalidInput, NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import Capability, ensure_can
from passnum.passes.enums import CONSUMED, PassStatus

from .enums import ReferralStatus
from .models import Referral

_PASSES = "prescription__checkbook__passes"


def _visible(actor):
    ensure_can(actor, Capability.VIEW_REFERRALS)
    referrals = Referral.objects.filter(programme=actor.programme)
    if actor.role == OrganisationKind.REFERRER:
        referrals = referrals.filter(organisation=actor.organisation)
    return referrals


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class ReferralCounts:
    """How many referrals an actor sees, by status (for the dashboards)."""

    by_status: list[StatusCount]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.by_status)

    @property
    def pending(self) -> int:
        return next(c.count for c in self.by_status if c.status == ReferralStatus.PENDING)


def referral_counts(actor) -> ReferralCounts:
    """The referrals the actor sees, counted by status (one query)."""
    rows = _visible(actor).order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return ReferralCounts(
        [StatusCount(s.value, s.label, counts.get(s.value, 0)) for s in ReferralStatus]
    )


def referrals_visible_to(actor, *, status: str | None = None):
    """The referrals an actor may see, in the Département's queue order (tier, then age).

    A referrer sees its own organisation's; the Département and the operator the programme's.
    Each carries how many passes its checkbook holds, has used and has left (one query).
    """
    referrals = _visible(actor)
    if status:
        if status not in ReferralStatus.values:
            raise InvalidInput(
                f"Statut inconnu : « {status} » (attendu : {', '.join(ReferralStatus.values)}).",
                code="invalid_input",
                field="status",
            )
        referrals = referrals.filter(status=status)
    return (
        referrals.select_related("beneficiary__commune", "organisation", "prescription__checkbook")
        .annotate(
            passes_count=Count(_PASSES, filter=~Q(**{f"{_PASSES}__status": PassStatus.CANCELLED})),
            passes_used=Count(_PASSES, filter=Q(**{f"{_PASSES}__status__in": CONSUMED})),
            passes_left=Count(_PASSES, filter=Q(**{f"{_PASSES}__status": PassStatus.ASSIGNED})),
        )
        .in_queue_order()
    )


def referral_for(actor, referral_id) -> Referral:
    """One referral the actor may see, or ``NotFound`` (also for another programme's)."""
    try:
        return referrals_visible_to(actor).get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise NotFound("Orientation introuvable.") from None
