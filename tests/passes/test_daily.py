"""``passnum daily``: expiry after the end date plus the 30-day grace, reminders 30 days before
the end; every step safe to run twice. Time travel: the day is always given explicitly."""

import datetime
import logging
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.exceptions import StockLimitExceeded
from passnum.passes.expiry import expire_passes
from passnum.passes.models import Pass, Reminder, ReminderRecipient
from passnum.passes.reminders import queue_reminders, send_reminders
from passnum.passes.selectors import budget_for, ledger_of
from passnum.passes.services import ensure_budget_buys, generate_passes
from passnum.referrals.services import prescribe
from tests.factories import CommuneFactory, OrganisationFactory, ProgrammeFactory, ReferralFactory

PRESCRIBED_ON = date(2026, 3, 2)
DAY = timedelta(days=1)


@pytest.fixture
def department(make_actor):
    return make_actor(OrganisationKind.DEPARTMENT)


def checkbook_for(department, programme, *, referrer_email="", person_email="", **person):
    """A prescribed checkbook of 5 assigned passes (the stock is topped up as needed)."""
    generate_passes(programme, programme.passes_per_checkbook, today=PRESCRIBED_ON)
    referral = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__email=person_email,
        organisation=OrganisationFactory(programme=programme, email=referrer_email),
        **{f"beneficiary__{k}": v for k, v in person.items()},
    )
    return prescribe(department, referral, today=PRESCRIBED_ON).checkbook


def statuses(checkbook) -> list[str]:
    return list(checkbook.passes.order_by("serial").values_list("status", flat=True))


def run_daily(*args) -> str:
    out = StringIO()
    call_command("daily", *args, stdout=out)
    return out.getvalue()


# --- Expiry -------------------------------------------------------------------------------


def test_passes_expire_only_after_the_30_day_grace(programme, department):
    checkbook = checkbook_for(department, programme)
    end = checkbook.expires_on
    assert end == PRESCRIBED_ON + timedelta(days=programme.validity_days)

    # On the end date and during the 30 days after it, a provider may still declare a session.
    for day in (end, end + 29 * DAY, end + 30 * DAY):
        assert expire_passes(day).expired == 0
        assert statuses(checkbook) == [PassStatus.ASSIGNED] * 5
    assert not JournalEntry.objects.filter(action="expired").exists()

    result = expire_passes(end + 31 * DAY)

    assert result.expired == 5
    assert statuses(checkbook) == [PassStatus.EXPIRED] * 5


def test_expiry_releases_the_commitment_and_journals_each_pass(programme, department):
    checkbook = checkbook_for(department, programme)
    before = budget_for(programme)
    assert before.committed_cents == 5 * programme.pass_value_cents

    expire_passes(checkbook.expires_on + 31 * DAY)

    after = budget_for(programme)
    assert after.committed_cents == 0
    assert after.available_cents == before.available_cents + 5 * programme.pass_value_cents
    assert after.consumed_cents == before.consumed_cents
    entries = list(JournalEntry.objects.filter(action="expired").order_by("subject_id"))
    assert [e.subject_id for e in entries] == list(
        checkbook.passes.order_by("pk").values_list("pk", flat=True)
    )
    for entry in entries:
        assert (entry.subject_type, entry.before, entry.after) == ("pass", "assigned", "expired")
        assert entry.user is None
        assert entry.organisation is None
        assert entry.data == {"reason": "end_date"}
        assert entry.programme_id == programme.pk


def test_expiry_is_safe_to_run_twice(programme, department):
    checkbook = checkbook_for(department, programme)
    day = checkbook.expires_on + 40 * DAY
    assert expire_passes(day).expired == 5
    journal = JournalEntry.objects.count()
    updated = list(Pass.objects.order_by("pk").values_list("pk", "status", "updated_at"))

    assert expire_passes(day).expired == 0
    assert expire_passes(day + 100 * DAY).expired == 0

    assert JournalEntry.objects.count() == journal
    assert list(Pass.objects.order_by("pk").values_list("pk", "status", "updated_at")) == updated


def test_only_unused_passes_expire_in_every_programme(programme, department, make_actor):
    checkbook = checkbook_for(department, programme)
    redeemed, reimbursed, cancelled = checkbook.passes.order_by("serial")[:3]
    for pass_, status in (
        (redeemed, PassStatus.REDEEMED),
        (reimbursed, PassStatus.REIMBURSED),
        (cancelled, PassStatus.CANCELLED),
    ):
        Pass.objects.filter(pk=pass_.pk).update(status=status)
    other = ProgrammeFactory()
    other_checkbook = checkbook_for(
        make_actor(
            OrganisationKind.DEPARTMENT,
            organisation=OrganisationFactory(programme=other, kind=OrganisationKind.DEPARTMENT),
        ),
        other,
    )
    stock = generate_passes(programme, 3, today=PRESCRIBED_ON)

    result = expire_passes(checkbook.expires_on + 31 * DAY)

    assert result.expired == 2 + 5
    assert statuses(checkbook) == ["redeemed", "reimbursed", "cancelled", "expired", "expired"]
    assert statuses(other_checkbook) == [PassStatus.EXPIRED] * 5
    # passes in stock without an operator's end date stay in stock
    assert {p.status for p in Pass.objects.filter(pk__in=[p.pk for p in stock])} == {"available"}


def test_stock_past_its_operator_end_expires_and_frees_the_budget(programme):
    stock = generate_passes(programme, 4, today=PRESCRIBED_ON)
    stale = stock[:3]
    Pass.objects.filter(pk__in=[p.pk for p in stale]).update(stock_expires_on=date(2026, 6, 30))

    assert expire_passes(date(2026, 6, 30)).stale_stock == 0
    result = expire_passes(date(2026, 7, 1))

    assert result == type(result)(expired=0, stale_stock=3)
    assert ledger_of(programme).count(PassStatus.EXPIRED) == 3
    assert ledger_of(programme).count(PassStatus.AVAILABLE) == 1
    entries = JournalEntry.objects.filter(action="expired")
    assert entries.count() == 3
    assert {e.data["reason"] for e in entries} == {"stock_end_date"}
    assert {e.before for e in entries} == {"available"}
    # They no longer take room in what the budget buys (3 600 passes, 1 left in the ledger).
    ensure_budget_buys(programme, 3599)
    with pytest.raises(StockLimitExceeded):
        ensure_budget_buys(programme, 3600)
    # A second run changes nothing.
    assert expire_passes(date(2026, 7, 2)) == type(result)(expired=0, stale_stock=0)


# --- Reminders ----------------------------------------------------------------------------


def test_reminders_are_queued_in_the_30_days_before_the_end(programme, department, mailoutbox):
    checkbook = checkbook_for(
        department,
        programme,
        referrer_email="accueil@mission-locale.example",
        person_email="jeanne@exemple.fr",
    )
    end = checkbook.expires_on

    assert queue_reminders(end - 31 * DAY) == 0
    assert not Reminder.objects.exists()

    assert queue_reminders(end - 30 * DAY) == 2

    reminders = {r.recipient: r for r in Reminder.objects.all()}
    assert reminders[ReminderRecipient.REFERRER].email == "accueil@mission-locale.example"
    assert reminders[ReminderRecipient.BENEFICIARY].email == "jeanne@exemple.fr"
    assert {r.due_on for r in reminders.values()} == {end - 30 * DAY}
    assert all(r.sent_at is None for r in reminders.values())
    assert not mailoutbox  # queued, not sent yet


def test_no_reminder_after_the_end_nor_for_a_used_checkbook(programme, department):
    ended = checkbook_for(department, programme, person_email="a@exemple.fr")
    used = checkbook_for(department, programme, person_email="b@exemple.fr")
    used.passes.update(status=PassStatus.REDEEMED)

    assert queue_reminders(ended.expires_on + DAY) == 0
    assert queue_reminders(used.expires_on - 10 * DAY) == 1  # only the unused checkbook
    assert list(Reminder.objects.values_list("checkbook_id", flat=True)) == [ended.pk]


def test_no_address_no_reminder(programme, department):
    checkbook = checkbook_for(department, programme)  # neither has an email

    assert queue_reminders(checkbook.expires_on - 5 * DAY) == 0
    assert not Reminder.objects.exists()

    only_person = checkbook_for(department, programme, person_email="p@exemple.fr")
    assert queue_reminders(only_person.expires_on - 5 * DAY) == 1
    assert Reminder.objects.get().recipient == ReminderRecipient.BENEFICIARY


def test_reminders_say_when_how_many_and_where(programme, department, mailoutbox):
    commune = CommuneFactory(insee_code="48061", name="Florac Trois Rivières")
    checkbook = checkbook_for(
        department,
        programme,
        referrer_email="accueil@mission-locale.example",
        person_email="jeanne@exemple.fr",
        first_name="Jeanne",
        last_name="Durandal",
        commune=commune,
    )
    checkbook.passes.filter(pk=checkbook.passes.order_by("pk").first().pk).update(
        status=PassStatus.REDEEMED
    )
    queue_reminders(checkbook.expires_on - 20 * DAY)
    now = timezone.now()

    result = send_reminders(now)

    assert (result.sent, result.failed) == (2, 0)
    assert set(Reminder.objects.values_list("sent_at", flat=True)) == {now}
    by_address = {m.to[0]: m for m in mailoutbox}
    referral = checkbook.prescription.referral
    end = "1 septembre 2026"
    assert checkbook.expires_on == date(2026, 9, 1)
    link = "/ou-utiliser-mes-pass/?commune=48061"

    to_referrer = by_address["accueil@mission-locale.example"]
    assert to_referrer.subject == f"Pass numérique : fin du chéquier de Jeanne D. le {end}"
    assert f"orientation n° {referral.pk}" in to_referrer.body
    assert "Jeanne D." in to_referrer.body
    assert "Durandal" not in to_referrer.body + to_referrer.subject  # last name initial only
    assert f"se termine le {end}" in to_referrer.body
    assert "Il lui reste 4 pass à utiliser" in to_referrer.body
    assert link in to_referrer.body

    to_person = by_address["jeanne@exemple.fr"]
    assert to_person.subject == f"Vos Pass numériques se terminent le {end}"
    assert to_person.body.startswith("Bonjour Jeanne,")
    assert "Il vous reste 4 pass" in to_person.body
    assert f"avant le {end}" in to_person.body
    assert f"Où utiliser mes pass : {link}" in to_person.body


def test_reminders_are_queued_and_sent_once(programme, department, mailoutbox):
    checkbook = checkbook_for(
        department, programme, referrer_email="o@exemple.fr", person_email="p@exemple.fr"
    )
    day = checkbook.expires_on - 30 * DAY
    queue_reminders(day)
    send_reminders(timezone.now())
    sent = list(Reminder.objects.order_by("pk").values_list("pk", "sent_at"))

    for later in (day, day + DAY, checkbook.expires_on):
        assert queue_reminders(later) == 0
        assert send_reminders(timezone.now()).sent == 0

    assert len(mailoutbox) == 2
    assert list(Reminder.objects.order_by("pk").values_list("pk", "sent_at")) == sent


def test_a_failed_sending_stays_queued_and_the_others_go_on(
    programme, department, mailoutbox, monkeypatch, caplog
):
    checkbook = checkbook_for(
        department, programme, referrer_email="panne@exemple.fr", person_email="p@exemple.fr"
    )
    queue_reminders(checkbook.expires_on - DAY)
    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["panne@exemple.fr"]:
            raise ConnectionRefusedError("serveur de courriel injoignable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    with caplog.at_level(logging.ERROR, logger="passnum.passes.reminders"):
        result = send_reminders(timezone.now())

    assert (result.sent, result.failed) == (1, 1)
    assert [m.to for m in mailoutbox] == [["p@exemple.fr"]]
    failed = Reminder.objects.get(recipient=ReminderRecipient.REFERRER)
    assert failed.sent_at is None
    assert f"Rappel n° {failed.pk} non envoyé à [courriel masqué]" in caplog.text
    assert "panne@exemple.fr" not in caplog.text  # no email address in the logs
    assert "serveur de courriel injoignable" in caplog.text

    monkeypatch.setattr(EmailMessage, "send", real_send)  # the mail server is back
    assert send_reminders(timezone.now()).sent == 1
    assert [m.to for m in mailoutbox] == [["p@exemple.fr"], ["panne@exemple.fr"]]
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


# --- The command --------------------------------------------------------------------------


def test_daily_command_expires_reminds_and_is_safe_twice(programme, department, mailoutbox):
    ending = checkbook_for(department, programme, person_email="p@exemple.fr")
    end = ending.expires_on
    # a checkbook prescribed 40 days earlier: expired by then (end + 30 days < the day)
    earlier = PRESCRIBED_ON - 40 * DAY
    generate_passes(programme, 5, today=earlier)
    old = prescribe(
        department, ReferralFactory(beneficiary__programme=programme), today=earlier
    ).checkbook
    day = old.expires_on + 31 * DAY
    assert end - 30 * DAY <= day <= end

    first = run_daily("--date", day.isoformat())

    assert f"5 pass expirés, 1 rappel envoyé le {day:%d/%m/%Y}" in first
    assert "1 rappel mis en file" in first
    assert statuses(old) == [PassStatus.EXPIRED] * 5
    assert statuses(ending) == [PassStatus.ASSIGNED] * 5
    assert [m.to for m in mailoutbox] == [["p@exemple.fr"]]
    journal = JournalEntry.objects.count()

    second = run_daily("--date", day.isoformat())

    assert "0 pass expiré, 0 rappel envoyé" in second
    assert "0 rappel mis en file" in second
    assert JournalEntry.objects.count() == journal
    assert len(mailoutbox) == 1


def test_daily_command_without_date_uses_today(programme, department):
    checkbook = checkbook_for(department, programme)
    assert checkbook.expires_on + 30 * DAY < timezone.localdate()  # the tests run after 2026-10

    output = run_daily()

    assert "5 pass expirés" in output
    assert statuses(checkbook) == [PassStatus.EXPIRED] * 5


@pytest.mark.parametrize("value", ["31/12/2026", "2026-02-30", "demain"])
def test_daily_command_refuses_a_bad_date_in_french(programme, department, value):
    checkbook = checkbook_for(department, programme)
    with pytest.raises(CommandError, match=rf"Date invalide : « {value} »\. Attendu : AAAA-MM-JJ"):
        run_daily("--date", value)
    assert statuses(checkbook) == [PassStatus.ASSIGNED] * 5
    assert not JournalEntry.objects.filter(action="expired").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_daily_runs_at_once_expire_and_send_once(
    postgres_only, programme, department, mailoutbox, round_
):
    """On PostgreSQL, two runs at the same instant: the row locks make each pass expire once
    (one journal entry) and each reminder go once."""
    import threading

    from django.db import connection

    expired = checkbook_for(department, programme)
    earlier = PRESCRIBED_ON + 40 * DAY
    generate_passes(programme, 5, today=earlier)
    ending = prescribe(
        department,
        ReferralFactory(
            beneficiary__programme=programme,
            beneficiary__email="p@exemple.fr",
            organisation=OrganisationFactory(programme=programme, email="o@exemple.fr"),
        ),
        today=earlier,
    ).checkbook
    day = expired.expires_on + 31 * DAY
    assert ending.expires_on - 30 * DAY <= day <= ending.expires_on
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(run_daily("--date", day.isoformat()))
        except Exception as exc:  # the outcome is what the test checks
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(o, str) for o in outcomes), outcomes
    assert statuses(expired) == [PassStatus.EXPIRED] * 5
    assert JournalEntry.objects.filter(action="expired").count() == 5
    assert sorted(m.to[0] for m in mailoutbox) == ["o@exemple.fr", "p@exemple.fr"]
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2


def test_nothing_left_nothing_sent(programme, department, mailoutbox):
    """A reminder queued, then every pass used (or the checkbook ended): no email."""
    checkbook = checkbook_for(department, programme, person_email="p@exemple.fr")
    queue_reminders(checkbook.expires_on - 30 * DAY)
    checkbook.passes.update(status=PassStatus.REDEEMED)
    moment = timezone.make_aware(
        datetime.datetime.combine(checkbook.expires_on - 29 * DAY, datetime.time(9))
    )
    assert send_reminders(moment).sent == 0
    assert not mailoutbox
    # nor once the passes have expired (a reminder that kept failing, say)
    checkbook.passes.update(status=PassStatus.EXPIRED)
    assert send_reminders(moment + 60 * DAY).sent == 0
    assert not mailoutbox
    checkbook.passes.update(status=PassStatus.ASSIGNED)
    assert send_reminders(moment).sent == 1
