"""« Pass non utilisés »: which checkbooks are dormant, and who sees them
(``referrals.selectors.follow_up_for``)."""

import pytest

from passnum.common.exceptions import InvalidInput, NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus, ReminderRecipient
from passnum.passes.expiry import expire_passes
from passnum.passes.models import Reminder
from passnum.passes.services import cancel_and_replace
from passnum.referrals.selectors import follow_up_for
from passnum.referrals.services import remind
from tests.factories import ProgrammeFactory, set_status

from .follow_up import DAY, ENDS_ON, PRESCRIBED_ON, Dormant, actor_of


@pytest.fixture
def world(programme):
    return Dormant(programme)


def listed(actor, today, **kwargs) -> dict:
    """{checkbook number: (reason, passes left)} of the actor's list on ``today``."""
    return {
        r.prescription.checkbook.number: (r.reason, r.passes_left)
        for r in follow_up_for(actor, today=today, **kwargs)
    }


def test_unused_30_days_after_the_checkbook_was_given(world):
    checkbook = world.checkbook()
    assert listed(world.department, PRESCRIBED_ON + 29 * DAY) == {}
    assert listed(world.department, PRESCRIBED_ON + 30 * DAY) == {
        checkbook.number: ("unused_30_days", 5)
    }
    # … until its end, but no longer once a pass is used
    assert listed(world.department, ENDS_ON) == {checkbook.number: ("unused_30_days", 5)}
    world.use(checkbook, on=PRESCRIBED_ON + 40 * DAY)
    assert listed(world.department, PRESCRIBED_ON + 41 * DAY) == {}


def test_expiring_soon_once_a_pass_is_used(world):
    checkbook = world.checkbook()
    world.use(checkbook, 2)
    assert listed(world.department, PRESCRIBED_ON + 60 * DAY) == {}  # in use, far from its end
    assert listed(world.department, ENDS_ON - 30 * DAY) == {}  # 30 days left
    assert listed(world.department, ENDS_ON - 29 * DAY) == {checkbook.number: ("expiring_soon", 3)}
    assert listed(world.department, ENDS_ON) == {checkbook.number: ("expiring_soon", 3)}


def test_past_its_end_or_fully_used_a_checkbook_is_not_listed(world):
    ended = world.checkbook()
    used = world.checkbook()
    world.use(used, 5)
    # the day after the end its passes are no longer usable (even before « passnum daily »)
    assert listed(world.department, ENDS_ON + DAY) == {}
    assert set(ended.passes.values_list("status", flat=True)) == {PassStatus.ASSIGNED}
    # nor once they have expired
    expire_passes(ENDS_ON + 31 * DAY)
    assert set(ended.passes.values_list("status", flat=True)) == {PassStatus.EXPIRED}
    assert listed(world.department, ENDS_ON + 31 * DAY) == {}
    assert listed(world.department, ENDS_ON - DAY) == {}  # ended: expired; used: none left


def test_cancelled_and_replaced_passes(world):
    checkbook = world.checkbook()
    serials = list(checkbook.passes.order_by("serial").values_list("serial", flat=True)[:2])
    cancel_and_replace(world.department, checkbook, serials, "Chéquier perdu", today=PRESCRIBED_ON)
    # two cancelled, two replacements assigned: still unused, five passes left
    assert listed(world.department, PRESCRIBED_ON + 30 * DAY) == {
        checkbook.number: ("unused_30_days", 5)
    }
    # a checkbook whose remaining passes are all cancelled is not listed
    other = world.checkbook()
    world.use(other, 3)
    set_status(other.passes.filter(status=PassStatus.ASSIGNED), PassStatus.CANCELLED)
    assert listed(world.department, ENDS_ON - 10 * DAY) == {
        checkbook.number: ("unused_30_days", 5)
    }


def test_pending_and_rejected_referrals_are_not_listed(world):
    from tests.factories import ReferralFactory

    ReferralFactory(
        beneficiary__programme=world.programme, organisation=world.referrer.organisation
    )
    assert listed(world.referrer, PRESCRIBED_ON + 60 * DAY) == {}


def test_each_sees_the_people_it_may_see(world):
    mine = world.checkbook()
    theirs = world.checkbook(by=world.other_referrer)
    by_department = world.checkbook(by=world.department)
    day = PRESCRIBED_ON + 30 * DAY

    assert set(listed(world.referrer, day)) == {mine.number}
    assert set(listed(world.other_referrer, day)) == {theirs.number}
    assert set(listed(world.department, day)) == {mine.number, theirs.number, by_department.number}
    # a colleague of the same organisation sees the same list
    colleague = actor_of(world.programme, None, organisation=world.referrer.organisation)
    assert set(listed(colleague, day)) == {mine.number}
    # another programme's Département sees nothing of this one
    assert listed(actor_of(ProgrammeFactory(), OrganisationKind.DEPARTMENT), day) == {}
    for kind in (OrganisationKind.PROVIDER, OrganisationKind.OPERATOR, OrganisationKind.FUNDER):
        with pytest.raises(NotAllowed, match="suivi des pass non utilisés"):
            follow_up_for(actor_of(world.programme, kind), today=day)


def test_filter_by_reason(world):
    unused = world.checkbook()
    ending = world.checkbook()
    world.use(ending)
    day = ENDS_ON - 5 * DAY
    assert listed(world.department, day) == {
        unused.number: ("unused_30_days", 5),
        ending.number: ("expiring_soon", 4),
    }
    assert set(listed(world.department, day, reason="expiring_soon")) == {ending.number}
    assert set(listed(world.department, day, reason="unused_30_days")) == {unused.number}
    with pytest.raises(InvalidInput, match="Motif inconnu : « endormi »") as caught:
        follow_up_for(world.department, reason="endormi", today=day)
    assert caught.value.extra["field"] == "reason"


def test_most_urgent_end_first(world):
    late = world.checkbook(on=PRESCRIBED_ON + 10 * DAY)
    early = world.checkbook()
    rows = follow_up_for(world.department, today=PRESCRIBED_ON + 45 * DAY)
    assert [r.prescription.checkbook.number for r in rows] == [early.number, late.number]


def test_last_reminded_on_counts_the_person_s_reminders_only(world):
    checkbook = world.checkbook(email="jeanne@exemple.fr")
    day = PRESCRIBED_ON + 30 * DAY

    def last():
        (row,) = follow_up_for(world.department, today=day + 5 * DAY)
        return row.last_reminded_on

    assert last() is None
    # an automatic reminder to the referring organisation is not a reminder of the person
    Reminder.objects.create(
        checkbook=checkbook, recipient=ReminderRecipient.REFERRER, due_on=day + DAY
    )
    assert last() is None
    remind(world.referrer, checkbook.prescription.referral, today=day)
    assert last() == day
    remind(world.department, checkbook.prescription.referral, today=day + 2 * DAY)
    assert last() == day + 2 * DAY


def test_one_query_whatever_the_number_of_rows(world, django_assert_num_queries):
    day = PRESCRIBED_ON + 30 * DAY

    def read():
        rows = follow_up_for(world.department, today=day)
        return [
            (r.beneficiary.commune.name, r.organisation.name, r.prescription.checkbook.number)
            for r in rows
        ]

    world.checkbook()
    with django_assert_num_queries(1):
        assert len(read()) == 1
    for _ in range(6):
        world.use(world.checkbook(), on=PRESCRIBED_ON + DAY) if _ % 2 else world.checkbook()
    with django_assert_num_queries(1):
        assert len(read()) == 4
