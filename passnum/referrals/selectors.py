import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from passnum.beneficiaries.models import Beneficiary
from passnum.beneficiaries.selectors import other_records_of
from passnum.common.exceptions import InvalidInput, NotFound
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.enums import CONSUMED, PassStatus, ReminderChannel, ReminderRecipient
from passnum.passes.models import Checkbook, Reminder
from passnum.passes.transitions import usable_for_new_session_q

from .enums import FollowUpReason, ReferralStatus
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


# « Pass non utilisés » -------------------------------------------------------------------

# A checkbook none of whose passes was used this many days after it was given is dormant; one
# partly used is dormant when fewer than this many days are left before its end.
DORMANT_AFTER_DAYS = 30
ENDING_WITHIN_DAYS = 30


def _reason(today: datetime.date):
    """The follow-up reason of a referral annotated with ``passes_used``, or ``""``."""
    checkbook = "prescription__checkbook"
    return Case(
        When(
            Q(passes_used=0)
            & Q(
                **{f"{checkbook}__issued_on__lte": today - datetime.timedelta(DORMANT_AFTER_DAYS)}
            ),
            then=Value(FollowUpReason.UNUSED_30_DAYS.value),
        ),
        When(
            Q(passes_used__gt=0)
            & Q(
                **{f"{checkbook}__expires_on__lt": today + datetime.timedelta(ENDING_WITHIN_DAYS)}
            ),
            then=Value(FollowUpReason.EXPIRING_SOON.value),
        ),
        default=Value(""),
        output_field=CharField(),
    )


def last_reminded_on():
    """The last day the person of a referral was reminded to use its checkbook (an automatic
    reminder or a manual one, by email or letter), or None."""
    return Subquery(
        Reminder.objects.filter(
            checkbook=OuterRef("prescription__checkbook"),
            recipient=ReminderRecipient.BENEFICIARY,
        )
        .order_by("-due_on")
        .values("due_on")[:1]
    )


def dormant(referrals, today: datetime.date):
    """The prescribed referrals among ``referrals`` whose checkbook is dormant on ``today``,
    annotated with ``reason``, ``passes_left`` and ``passes_used``: the one rule of the
    follow-up (``follow_up_for``), also counted for the dashboards (``dormant_count``)."""
    return (
        referrals.filter(status=ReferralStatus.PRESCRIBED)
        .annotate(
            passes_left=Count(_PASSES, filter=usable_for_new_session_q(today, f"{_PASSES}__")),
            passes_used=Count(_PASSES, filter=Q(**{f"{_PASSES}__status__in": CONSUMED})),
        )
        .annotate(reason=_reason(today))
        .filter(passes_left__gt=0)
        .exclude(reason="")
    )


def dormant_count(programme, today: datetime.date, *, using=None) -> int:
    """How many checkbooks of the programme are dormant on ``today`` (one query), for the
    « À faire » of those who steer it; the people themselves are listed by ``follow_up_for``."""
    return dormant(Referral.objects.using(using).filter(programme=programme), today).count()


def follow_up_for(actor, *, reason: str | None = None, today: datetime.date | None = None):
    """The dormant checkbooks of the people the actor may see (a referrer: its own
    organisation's referrals; the Département: the programme's), most urgent end first, as
    prescribed referrals annotated with ``reason``, ``passes_left`` (passes still usable for a
    session, ``transitions.usable_for_new_session``), ``passes_used`` and
    ``last_reminded_on``. One query.

    - ``unused_30_days``: given ``DORMANT_AFTER_DAYS`` days ago or more, no pass used;
    - ``expiring_soon``: a pass used, passes still usable, fewer than ``ENDING_WITHIN_DAYS``
      days before the end.

    A checkbook past its end (its passes no longer usable), or fully used, is not listed.
    """
    ensure_can(actor, Capability.FOLLOW_UP)
    today = today or timezone.localdate()
    if reason and reason not in FollowUpReason.values:
        raise InvalidInput(
            f"Motif inconnu : « {reason[:40]} » (attendu : {', '.join(FollowUpReason.values)}).",
            code="invalid_input",
            field="reason",
        )
    rows = dormant(_visible(actor), today)
    if reason:
        rows = rows.filter(reason=reason)
    return (
        rows.annotate(last_reminded_on=last_reminded_on())
        .select_related("beneficiary__commune", "organisation", "prescription__checkbook")
        .order_by("prescription__checkbook__expires_on", "prescription__checkbook__number")
    )


def letters_to_print(actor, day: datetime.date, *, today: datetime.date | None = None):
    """The reminder letters the actor's organisation recorded on ``day`` (people without an
    email address) whose checkbook still has usable passes ``today``, each with
    ``passes_left``, by name. One query."""
    ensure_can(actor, Capability.FOLLOW_UP)
    today = today or timezone.localdate()
    visible = _visible(actor).values("prescription__checkbook")
    return (
        Reminder.objects.filter(
            channel=ReminderChannel.LETTER,
            organisation=actor.organisation,
            due_on=day,
            checkbook__in=visible,
        )
        .annotate(
            passes_left=Count(
                "checkbook__passes", filter=usable_for_new_session_q(today, "checkbook__passes__")
            )
        )
        .filter(passes_left__gt=0)
        .select_related("checkbook__beneficiary__commune", "checkbook__programme")
        .order_by("checkbook__beneficiary__last_name", "checkbook__beneficiary__first_name", "pk")
    )
