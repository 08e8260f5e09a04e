"""What whoever holds a pass code may know about it: never who it belongs to."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min

from . import transitions
from .enums import PassStatus
from .models import Pass

# What a status means to the person who holds the pass.
STATUS_LABELS = {
    PassStatus.AVAILABLE: "Pas encore attribué",
    PassStatus.ASSIGNED: "Utilisable",
    PassStatus.REDEEMED: "Déjà utilisé",
    PassStatus.REIMBURSED: "Déjà utilisé",
    PassStatus.EXPIRED: "Expiré",
    PassStatus.CANCELLED: "Annulé (déclaré perdu ou volé)",
}
# DSFR badge of each status.
STATUS_BADGES = {
    PassStatus.AVAILABLE: "new",
    PassStatus.ASSIGNED: "success",
    PassStatus.REDEEMED: "info",
    PassStatus.REIMBURSED: "info",
    PassStatus.EXPIRED: "warning",
    PassStatus.CANCELLED: "error",
}


@dataclass(frozen=True)
class PassState:
    """What the page says about one pass: nothing about its holder."""

    serial: str
    status: PassStatus  # as the holder sees it
    value_cents: int
    expires_on: date | None
    usable_in_checkbook: int  # passes of its checkbook still usable, this one included
    usable_until: date | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def is_usable(self) -> bool:
        return self.status == PassStatus.ASSIGNED


def pass_state(pass_: Pass, today: date) -> PassState:
    status = PassStatus(pass_.status)
    # An assigned pass past its end date is no longer accepted for a new session, even
    # before the daily job marks it expired.
    if status == PassStatus.ASSIGNED and not transitions.usable_for_new_session(pass_, today):
        status = PassStatus.EXPIRED
    usable = {"n": 0, "until": None}
    if status == PassStatus.ASSIGNED:
        usable = Pass.objects.filter(
            checkbook_id=pass_.checkbook_id, status=PassStatus.ASSIGNED, expires_on__gte=today
        ).aggregate(n=Count("pk"), until=Min("expires_on"))
    return PassState(
        serial=pass_.serial,
        status=status,
        value_cents=pass_.value_cents,
        expires_on=pass_.expires_on,
        usable_in_checkbook=usable["n"],
        usable_until=usable["until"],
    )
