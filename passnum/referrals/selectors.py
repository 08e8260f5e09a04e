from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, Value

from passnum.beneficiaries.models import Beneficiary
from passnum.beneficiaries.selectors import other_records_of
from passnum.common.exceptions import InvalidInput, NotFound
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.models import Checkbook

from .enums import ReferralStatus
from .models import Prescription, Referral

_PASSES = "prescription__checkbook__passes"


def _visible(actor):
    """A referrer's own organisation's referrals; the Département's whole programme."""
    ensure_can(actor, Capability.VIEW_REFERRALS)
    referrals = Referral.objects.filter(programme=actor.programme)
    if not can(actor, Capability.VIEW_ALL_REFERRALS):
        referrals = referrals.filter(organisation=actor.organisation)
    return referrals


def _other_record_of_the_person():
    """Another record of the programme with the referral's person's identity (recorded by
    another organisation, or a namesake born the same day)."""
    return Exists(
        Beneficiary.objects.filter(
            programme=OuterRef("programme"),
            search_last_name=OuterRef("beneficiary__search_last_name"),
            search_first_name=OuterRef("beneficiary__search_first_name"),
            birth_date=OuterRef("beneficiary__birth_date"),
        ).exclude(pk=OuterRef("beneficiary_id"))
    )


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

    A referrer sees its own organisation's; the Département the programme's, each with
    ``possible_duplicate`` (another record of the same identity). Each carries how many passes
    its checkbook holds, has used and has left (one query).
    """
    referrals = _visible(actor)
    # Only the Département learns that another organisation recorded the same person.
    referrals = referrals.annotate(
        possible_duplicate=_other_record_of_the_person()
        if can(actor, Capability.VIEW_ALL_REFERRALS)
        else Value(False, output_field=BooleanField())
    )
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
        return (
            referrals_visible_to(actor)
            .select_related("created_by", "decided_by")
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise NotFound("Orientation introuvable.") from None


@dataclass(frozen=True)
class OtherRecord:
    """Another record of a referral's person (for the Département): who recorded it, its
    referrals, and its running checkbook if any."""

    beneficiary_id: int
    organisation: object | None  # the organisation that recorded it
    referrals: list
    checkbook: object | None  # a checkbook with unused passes, not past its end
    passes_left: int


def other_records(actor, referral, *, today) -> list[OtherRecord]:
    """The other records of the person of ``referral`` (same names and birth date), with their
    referrals and running checkbook: what the Département needs to resolve a possible duplicate
    (three queries)."""
    ensure_can(actor, Capability.VIEW_ALL_REFERRALS, programme=referral.programme)
    others = list(
        other_records_of(referral.beneficiary)
        .select_related("created_by_organisation")
        .prefetch_related("referrals__organisation")
    )
    running = {
        c.beneficiary_id: c
        for c in Checkbook.objects.filter(beneficiary__in=others)
        .with_unused_passes(today)
        .annotate(left=Count("passes", filter=Q(passes__status=PassStatus.ASSIGNED)))
    }
    return [
        OtherRecord(
            beneficiary_id=person.pk,
            organisation=person.created_by_organisation,
            referrals=sorted(person.referrals.all(), key=lambda r: r.created_at),
            checkbook=running.get(person.pk),
            passes_left=running[person.pk].left if person.pk in running else 0,
        )
        for person in others
    ]


def prescription_for(actor, prescription_id) -> Prescription:
    """One prescription of the actor's programme, for the Département (with its checkbook)."""
    ensure_can(actor, Capability.PRESCRIBE)
    found = (
        Prescription.objects.filter(programme=actor.programme, pk=prescription_id)
        .select_related("checkbook")
        .first()
    )
    if found is None:
        raise NotFound("Prescription introuvable.")
    return found
