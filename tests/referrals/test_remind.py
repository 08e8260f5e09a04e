"""« Relancer »: a reminder queued in the real outbox (sent by the worker) or a letter to
print, journaled, once a day (``referrals.services.remind``)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from passnum.common.exceptions import NotAllowed, NotFound
from passnum.journal.enums import Action
from passnum.journal.models import JournalEntry
from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus, ReminderChannel, ReminderOrigin, ReminderRecipient
from passnum.passes.models import Reminder
from passnum.passes.reminders import queue_reminders
from passnum.referrals.exceptions import AlreadyRemindedToday, NothingToRemind
from passnum.referrals.services import remind
from tests.factories import CommuneFactory, ReferralFactory
from tests.tasks import frozen, run_tasks

from .follow_up import DAY, ENDS_ON, PRESCRIBED_ON, Dormant, actor_of

DAY_30 = PRESCRIBED_ON + 30 * DAY


def moment(day):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def world(programme):
    return Dormant(programme)


def test_an_email_is_queued_sent_by_the_worker_and_journaled(world, mailoutbox, settings):
    settings.PASSNUM_SITE_URL = "https://pass-numerique.lozere.fr"
    commune = CommuneFactory(insee_code="48061", name="Florac Trois Rivières")
    checkbook = world.checkbook(
        email="jeanne@exemple.fr", first_name="Jeanne", last_name="Durandal", commune=commune
    )
    world.use(checkbook)
    referral = checkbook.prescription.referral
    day = ENDS_ON - 20 * DAY

    with frozen(moment(day)):
        reminder = remind(world.referrer, referral, today=day)

    assert (reminder.channel, reminder.origin, reminder.recipient, reminder.due_on) == (
        ReminderChannel.EMAIL,
        ReminderOrigin.MANUAL,
        ReminderRecipient.BENEFICIARY,
        day,
    )
    assert (reminder.created_by, reminder.organisation) == (
        world.referrer.user,
        world.referrer.organisation,
    )
    email = reminder.message
    assert (email.kind, email.status, email.recipient) == (
        EmailKind.REMINDER_FOLLOW_UP,
        EmailStatus.QUEUED,
        "jeanne@exemple.fr",
    )
    assert not mailoutbox  # queued, never sent inline

    entry = JournalEntry.objects.get(action=Action.REMINDED)
    assert (entry.subject_id, entry.user, entry.organisation) == (
        checkbook.pk,
        world.referrer.user,
        world.referrer.organisation,
    )
    assert entry.data == {
        "reminder": reminder.pk,
        "recipient": "beneficiary",
        "channel": "email",
        "origin": "manual",
    }

    assert run_tasks(at=moment(day)) == 1
    (sent,) = mailoutbox
    assert sent.to == ["jeanne@exemple.fr"]
    assert sent.subject == "Il vous reste 4 Pass numériques à utiliser avant le 1 septembre 2026"
    body = sent.body
    assert body.startswith("Bonjour Jeanne,")
    assert f"chéquier Pass numérique n° {checkbook.number}" in body
    assert "Il vous reste 4 pass à utiliser, avant le 1 septembre 2026." in body
    assert (
        "Où utiliser mes pass : "
        "https://pass-numerique.lozere.fr/ou-utiliser-mes-pass/?commune=48061" in body
    )
    assert "https://pass-numerique.lozere.fr/verifier-mes-pass/" in body
    assert world.referrer.organisation.name in body
    assert "&#x27;" not in body  # a text, not HTML
    assert "Durandal" not in body


def test_without_an_email_a_letter_is_recorded(world):
    checkbook = world.checkbook()
    reminder = remind(world.department, checkbook.prescription.referral, today=DAY_30)
    assert (reminder.channel, reminder.message, reminder.passes_left) == (
        ReminderChannel.LETTER,
        None,
        5,
    )
    assert reminder.organisation == world.department.organisation
    assert not Email.objects.exists()
    assert JournalEntry.objects.get(action=Action.REMINDED).data["channel"] == "letter"


def test_once_a_day(world):
    checkbook = world.checkbook(email="p@exemple.fr")
    referral = checkbook.prescription.referral
    remind(world.referrer, referral, today=DAY_30)

    with pytest.raises(AlreadyRemindedToday, match="déjà été relancée aujourd'hui"):
        remind(world.department, referral, today=DAY_30)
    assert Reminder.objects.count() == Email.objects.count() == 1
    assert JournalEntry.objects.filter(action=Action.REMINDED).count() == 1

    remind(world.department, referral, today=DAY_30 + DAY)
    assert Reminder.objects.count() == Email.objects.count() == 2


def test_the_database_refuses_a_second_reminder_the_same_day(world):
    checkbook = world.checkbook()
    fields = {
        "checkbook": checkbook,
        "recipient": ReminderRecipient.BENEFICIARY,
        "channel": ReminderChannel.LETTER,
        "origin": ReminderOrigin.MANUAL,
        "due_on": DAY_30,
        "created_by": world.referrer.user,
        "organisation": world.referrer.organisation,
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields)
    # a manual reminder is signed, and a letter carries no email
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**{**fields, "due_on": DAY_30 + DAY, "created_by": None})


def test_nothing_to_remind(world):
    used = world.checkbook()
    world.use(used, 5)
    with pytest.raises(NothingToRemind, match="plus de pass utilisable"):
        remind(world.department, used.prescription.referral, today=DAY_30)

    ended = world.checkbook()
    with pytest.raises(NothingToRemind):
        remind(world.department, ended.prescription.referral, today=ENDS_ON + DAY)

    expired = world.checkbook()
    from tests.factories import set_status

    set_status(expired.passes.all(), PassStatus.EXPIRED)
    with pytest.raises(NothingToRemind):
        remind(world.department, expired.prescription.referral, today=DAY_30)

    pending = ReferralFactory(
        beneficiary__programme=world.programme, organisation=world.referrer.organisation
    )
    with pytest.raises(NothingToRemind, match="pas de chéquier"):
        remind(world.referrer, pending, today=DAY_30)
    assert not Reminder.objects.exists()
    assert not JournalEntry.objects.filter(action=Action.REMINDED).exists()

    # a checkbook still in use can be reminded (it is not « dormant » in the list's sense yet)
    recent = world.checkbook()
    remind(world.referrer, recent.prescription.referral, today=PRESCRIBED_ON + DAY)


def test_who_may_remind(world):
    checkbook = world.checkbook()
    referral = checkbook.prescription.referral
    with pytest.raises(NotFound):
        remind(world.other_referrer, referral, today=DAY_30)
    for kind in (OrganisationKind.PROVIDER, OrganisationKind.OPERATOR, OrganisationKind.FUNDER):
        with pytest.raises(NotAllowed):
            remind(actor_of(world.programme, kind), referral, today=DAY_30)
    assert not Reminder.objects.exists()


def test_automatic_and_manual_reminders_the_same_day(world):
    """The automatic reminder before the end is recorded (origin automatic) and journaled;
    the person is reminded at most once a day, whichever comes first."""
    first = world.checkbook(email="a@exemple.fr")
    second = world.checkbook(email="b@exemple.fr")
    day = ENDS_ON - 30 * DAY

    with frozen(moment(day)):
        assert queue_reminders(day) == 2  # the referrer organisations have no email
    automatic = Reminder.objects.get(checkbook=first)
    assert (automatic.origin, automatic.channel, automatic.message.kind) == (
        ReminderOrigin.AUTOMATIC,
        ReminderChannel.EMAIL,
        EmailKind.REMINDER_BENEFICIARY,
    )
    entry = JournalEntry.objects.get(action=Action.REMINDED, subject_id=first.pk)
    assert (entry.user, entry.data["origin"]) == (None, "automatic")
    with pytest.raises(AlreadyRemindedToday):
        remind(world.referrer, first.prescription.referral, today=day)

    # a manual reminder does not stand for the automatic one: it goes on a later run
    third = world.checkbook(email="c@exemple.fr")
    remind(world.referrer, third.prescription.referral, today=day)
    with frozen(moment(day)):
        assert queue_reminders(day) == 0
    with frozen(moment(day + DAY)):
        assert queue_reminders(day + DAY) == 1
    assert set(Reminder.objects.filter(checkbook=third).values_list("origin", "due_on")) == {
        (ReminderOrigin.MANUAL, day),
        (ReminderOrigin.AUTOMATIC, day + DAY),
    }
    assert second.reminders.count() == 1


def test_an_email_whose_passes_were_used_meanwhile_is_not_sent(world, mailoutbox):
    checkbook = world.checkbook(email="p@exemple.fr")
    with frozen(moment(DAY_30)):
        reminder = remind(world.referrer, checkbook.prescription.referral, today=DAY_30)
    world.use(checkbook, 5, on=DAY_30)
    assert run_tasks(at=moment(DAY_30)) == 1
    assert not mailoutbox
    reminder.message.refresh_from_db()
    assert reminder.message.status == EmailStatus.CANCELLED
