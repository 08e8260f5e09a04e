"""The effect of reminders (``reporting.reminders.reminder_effect``): hand-made cases, then
random programmes checked against a direct day-by-day computation of the documented
definition, and a constant number of queries."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from passnum.passes.enums import PassStatus, ReminderChannel, ReminderOrigin, ReminderRecipient
from passnum.passes.models import Reminder
from passnum.redemptions.models import Redemption
from passnum.reporting.periods import EVERYTHING, Period
from passnum.reporting.reminders import ReminderEffect, reminder_effect
from tests.factories import set_status
from tests.referrals.follow_up import PRESCRIBED_ON, Dormant

DAY = timedelta(days=1)
TODAY = date(2027, 6, 1)  # every window of the 2026 checkbooks is over


@pytest.fixture
def world(programme):
    return Dormant(programme)


def reminded_on(world, checkbook, day, *, origin=ReminderOrigin.MANUAL):
    manual = origin == ReminderOrigin.MANUAL
    return Reminder.objects.create(
        checkbook=checkbook,
        recipient=ReminderRecipient.BENEFICIARY,
        channel=ReminderChannel.LETTER if manual else ReminderChannel.EMAIL,
        origin=origin,
        due_on=day,
        created_by=world.referrer.user if manual else None,
        organisation=world.referrer.organisation if manual else None,
    )


def test_hand_made_cases(world):
    d1 = PRESCRIBED_ON + 30 * DAY  # the day an unused checkbook becomes dormant

    a = world.checkbook()  # reminded, then used within 30 days: resumed after a reminder
    reminded_on(world, a, d1 + 5 * DAY)
    world.use(a, on=d1 + 10 * DAY)

    b = world.checkbook()  # not reminded, used within 30 days
    world.use(b, on=d1 + 20 * DAY)

    world.checkbook()  # c: not reminded, never used

    d = world.checkbook()  # reminded, used 37 days after the reminder: not resumed
    reminded_on(world, d, d1 + 3 * DAY)
    world.use(d, on=d1 + 40 * DAY)

    e = world.checkbook()  # used early; the automatic reminder (the day before it is ending)
    world.use(e, on=PRESCRIBED_ON + 5 * DAY)
    end = e.expires_on
    reminded_on(world, e, end - 30 * DAY, origin=ReminderOrigin.AUTOMATIC)
    world.use(e, on=end - 10 * DAY)

    f = world.checkbook()  # reminded before it became dormant: does not count
    reminded_on(world, f, PRESCRIBED_ON + 10 * DAY)

    g = world.checkbook()  # reminded after its first use: the dormancy was over
    world.use(g, on=d1 + 2 * DAY)
    reminded_on(world, g, d1 + 4 * DAY)

    effect = reminder_effect(world.programme, EVERYTHING, using="default", today=TODAY)

    # Became dormant 30 days after they were given: a, d reminded (a resumed); b, c, f, g not
    # (b, g resumed). e used a pass before its 30th day. Then a, b, d, e, g, used but not
    # fully, became dormant again 29 days before their end: e reminded (the automatic reminder
    # of the day before) and resumed; a, b, d, g not reminded, none resumed.
    assert effect == ReminderEffect(
        reminded=3, resumed_after_reminder=2, not_reminded=8, resumed_without_reminder=2
    )
    assert effect.reminded_share == round(2 / 3, 4)
    assert effect.not_reminded_share == 0.25


def test_open_windows_and_the_period(world):
    d1 = PRESCRIBED_ON + 30 * DAY
    checkbook = world.checkbook()
    reminded_on(world, checkbook, d1 + 5 * DAY)

    def effect(period=EVERYTHING, today=TODAY):
        return reminder_effect(world.programme, period, using="default", today=today)

    # the 30 days after the reminder are not over: left out
    assert effect(today=d1 + 35 * DAY).reminded == 0
    assert effect(today=d1 + 36 * DAY).reminded == 1
    # a dormancy counts in the period where it began
    assert effect(Period(d1, d1)).reminded == 1
    assert effect(Period(d1 + DAY, None)) == ReminderEffect(0, 0, 0, 0)  # dormant till its end
    assert effect(Period(None, d1 - DAY)) == ReminderEffect(0, 0, 0, 0)
    assert effect(Period(None, d1 - DAY)).reminded_share is None


def test_three_queries_whatever_the_size(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        reminder_effect(world.programme, EVERYTHING, using="default", today=TODAY)
    for index in range(6):
        checkbook = world.checkbook()
        world.use(checkbook, on=PRESCRIBED_ON + (index * 20) * DAY)
        reminded_on(world, checkbook, PRESCRIBED_ON + 35 * DAY)
    with django_assert_num_queries(3):
        reminder_effect(
            world.programme, Period(date(2026, 1, 1), None), using="default", today=TODAY
        )


# --- A direct computation of the definition, one day at a time ----------------------------


def direct(checkbooks, period, today) -> ReminderEffect:
    """``checkbooks``: (given on, end, size, use dates, reminder dates of the person)."""
    counts = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
    for given, end, size, uses, reminders in checkbooks:
        was_dormant = False
        day = given
        while day <= end + DAY:
            used = len([u for u in uses if u < day])
            usable = day <= end and used < size
            dormant = usable and (
                (used == 0 and (day - given).days >= 30) or (used > 0 and (end - day).days < 30)
            )
            if dormant and not was_dormant and period.contains(day):
                start = day
                later_uses = sorted(u for u in uses if u >= start)
                reminder = None
                watch = start - DAY
                while watch < start + 30 * DAY:
                    if later_uses and watch >= later_uses[0]:
                        break
                    if watch in reminders:
                        reminder = watch
                        break
                    watch += DAY
                if reminder is not None:
                    if reminder + 30 * DAY < today:
                        resumed = any(reminder < u <= reminder + 30 * DAY for u in uses)
                        counts[True, resumed] += 1
                elif start + 29 * DAY < today:
                    resumed = any(start <= u <= start + 29 * DAY for u in uses)
                    counts[False, resumed] += 1
            was_dormant = dormant
            day += DAY
    return ReminderEffect(
        reminded=counts[True, True] + counts[True, False],
        resumed_after_reminder=counts[True, True],
        not_reminded=counts[False, True] + counts[False, False],
        resumed_without_reminder=counts[False, True],
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_programmes_against_the_direct_computation(world, seed):
    rng = random.Random(seed)
    programme = world.programme
    described = []
    for _ in range(14):
        programme.validity_days = rng.choice([40, 75, 183])
        programme.save()
        given = PRESCRIBED_ON + rng.randrange(0, 120) * DAY
        checkbook = world.checkbook(on=given)
        end = checkbook.expires_on
        span = (end - given).days
        uses = sorted(given + rng.randrange(0, span + 1) * DAY for _ in range(rng.randrange(0, 6)))
        for used in uses:
            world.use(checkbook, on=used)
        if uses and rng.random() < 0.3:  # a session undone: its use does not count
            undone = Redemption.objects.filter(pass_obj__checkbook=checkbook).first()
            undone.undone_at = timezone.now()
            undone.save()
            set_status([undone.pass_obj], PassStatus.ASSIGNED)
            uses.remove(undone.session.date)
        if rng.random() < 0.2:  # lost passes replaced: the size stays five
            lost = list(checkbook.passes.filter(status=PassStatus.ASSIGNED)[:1])
            if lost:
                from passnum.passes.services import cancel_and_replace

                cancel_and_replace(
                    world.department, checkbook, [lost[0].serial], "Perdu", today=given
                )
        reminders = sorted(
            {given + rng.randrange(0, span + 10) * DAY for _ in range(rng.randrange(0, 4))}
        )
        for day in reminders:
            reminded_on(world, checkbook, day)
        if rng.random() < 0.3:  # reminders to the referring organisation do not count
            Reminder.objects.create(
                checkbook=checkbook, recipient=ReminderRecipient.REFERRER, due_on=end - 30 * DAY
            )
        described.append((given, end, 5, uses, set(reminders)))

    for period in (
        EVERYTHING,
        Period(date(2026, 5, 1), date(2026, 8, 31)),
        Period(date(2026, 9, 1), None),
    ):
        for today in (date(2026, 7, 15), TODAY):
            expected = direct(described, period, today)
            found = reminder_effect(programme, period, using="default", today=today)
            assert found == expected, (seed, period, today)
    assert direct(described, EVERYTHING, TODAY).reminded > 0  # the cases do cover reminders


def test_other_programmes_do_not_count(world):
    from tests.factories import ProgrammeFactory

    other = Dormant(ProgrammeFactory())
    other.checkbook()
    assert reminder_effect(other.programme, EVERYTHING, using="default", today=TODAY) == (
        ReminderEffect(0, 0, 1, 0)
    )
    assert reminder_effect(world.programme, EVERYTHING, using="default", today=TODAY) == (
        ReminderEffect(0, 0, 0, 0)
    )
