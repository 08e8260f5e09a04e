"""The outbox: every email is a row, delivered by a task of the real database backend run by
the real worker; enqueued on commit, retried with exponential backoff, failed after a fixed
number of attempts, never lost (the sweeper), secrets erased."""

import datetime
import logging
import threading
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from passnum.common.exceptions import NotAllowed
from passnum.notifications import delivery
from passnum.notifications.delivery import MAX_ATTEMPTS, enqueue_delivery, retry_delay
from passnum.notifications.exceptions import EmailNotFailed, SecretErased
from passnum.notifications.management.commands.worker import Command as WorkerCommand
from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.notifications.services import LOST_AFTER, queue_email, retry_email, sweep_emails
from passnum.notifications.worker import project_worker
from passnum.organisations.enums import OrganisationKind
from tests.tasks import commit, frozen, run_tasks

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 11, 2, 9))
MINUTE = datetime.timedelta(minutes=1)


def queue(recipient="jeanne@exemple.fr", *, programme=None, **fields) -> Email:
    fields = {
        # (a kind without a check: the reminders' are tested with them, in tests/passes)
        "kind": EmailKind.PASSWORD_RESET,
        "subject": "Vos Pass numériques",
        "body": "Bonjour Jeanne,",
        **fields,
    }
    with frozen(START):
        return queue_email(recipient=recipient, programme=programme, **fields)


def reload(email) -> Email:
    email.refresh_from_db()
    return email


@pytest.fixture
def mail_server_down(monkeypatch):
    def send(message, *args, **kwargs):
        raise ConnectionRefusedError(f"Relais refusé pour <{message.to[0]}> (550)")

    monkeypatch.setattr(EmailMessage, "send", send)
    return monkeypatch


# --- Queueing and sending ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_task_is_enqueued_on_commit_only():
    with transaction.atomic():
        email = queue_email(
            kind=EmailKind.PASSWORD_RESET, recipient="a@exemple.fr", subject="S", body="B"
        )
        assert not DBTaskResult.objects.exists()  # not before the commit

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert task.queue_name == "emails"
    assert task.task_path == "passnum.notifications.delivery.deliver_email"
    # The task carries the email's id only: nothing personal in the task table.
    assert task.args_kwargs == {"args": [email.pk, 0], "kwargs": {}}
    assert reload(email).task_id == task.id

    def rolled_back():
        with transaction.atomic():
            queue_email(
                kind=EmailKind.PASSWORD_RESET, recipient="b@exemple.fr", subject="S", body="B"
            )
            raise RuntimeError("la transaction est annulée")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert Email.objects.count() == DBTaskResult.objects.count() == 1


def test_the_worker_sends_and_marks_sent(programme):
    email = queue(programme=programme)
    assert (email.status, email.attempts, email.next_attempt_at) == (
        EmailStatus.QUEUED,
        0,
        START,
    )
    assert not mail.outbox

    assert run_tasks(at=START) == 1

    (message,) = mail.outbox
    assert (message.to, message.subject, message.body) == (
        ["jeanne@exemple.fr"],
        "Vos Pass numériques",
        "Bonjour Jeanne,",
    )
    email = reload(email)
    assert (email.status, email.attempts, email.sent_at, email.next_attempt_at) == (
        EmailStatus.SENT,
        1,
        START,
        None,
    )
    assert email.body == "Bonjour Jeanne,"  # no secret in it: kept
    task = DBTaskResult.objects.get()
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "sent")
    assert run_tasks(at=START) == 0


def test_a_subject_holds_one_line():
    email = queue(subject="Pass numérique :\nchoisir un nouveau\r\n mot de passe")
    assert email.subject == "Pass numérique : choisir un nouveau mot de passe"


def test_a_duplicate_task_does_not_send_twice():
    email = queue()
    run_tasks(at=START)  # the first task sends it
    enqueue_delivery(email.pk, 0)  # a second one for the same attempt (the sweeper, say)

    assert run_tasks(at=START) == 1

    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.order_by("enqueued_at").last().return_value == "skipped"


# --- Failures: backoff, then « failed » -------------------------------------------------


def test_backoff_delays():
    assert [retry_delay(n) for n in range(1, MAX_ATTEMPTS)] == [
        MINUTE,
        4 * MINUTE,
        16 * MINUTE,
        64 * MINUTE,
        256 * MINUTE,
    ]


def test_a_failure_is_kept_and_tried_again_later(mail_server_down, caplog):
    email = queue()

    with caplog.at_level(logging.DEBUG):
        run_tasks(at=START)

    email = reload(email)
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 1)
    # The error is kept without the address the mail server quoted.
    assert email.last_error == (
        "ConnectionRefusedError: Relais refusé pour <[adresse masquée]> (550)"
    )
    assert email.next_attempt_at == START + MINUTE
    retry = DBTaskResult.objects.get(id=email.task_id)
    assert (retry.status, retry.run_after) == (TaskResultStatus.READY, START + MINUTE)
    assert "@" not in caplog.text
    assert f"Courriel n° {email.pk} non envoyé (essai 1 sur 6), nouvel essai à 09:01" in (
        caplog.text
    )

    assert run_tasks(at=START + MINUTE - datetime.timedelta(seconds=1)) == 0  # not yet
    mail_server_down.undo()
    assert run_tasks(at=START + MINUTE) == 1
    email = reload(email)
    assert (email.status, email.attempts, email.sent_at) == (
        EmailStatus.SENT,
        2,
        START + MINUTE,
    )
    assert email.last_error  # the last error stays for the record
    assert len(mail.outbox) == 1


def fail_every_attempt(email) -> datetime.datetime:
    """Run the attempts of a queued email at their times (the mail server refuses them all);
    returns the moment of the last one."""
    moment = START
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert run_tasks(at=moment) == 1
        email = reload(email)
        assert email.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert email.status == EmailStatus.QUEUED
            assert email.next_attempt_at == moment + retry_delay(attempt)
            moment = email.next_attempt_at
    return moment


def test_failed_after_the_last_attempt_visible_and_not_lost(mail_server_down, caplog):
    email = queue()
    with caplog.at_level(logging.DEBUG):
        moment = fail_every_attempt(email)

    email = reload(email)
    assert email.status == EmailStatus.FAILED
    assert email.next_attempt_at is None
    assert moment - START == datetime.timedelta(minutes=1 + 4 + 16 + 64 + 256)
    assert run_tasks(at=moment + datetime.timedelta(days=30)) == 0  # no more attempts
    assert f"Courriel n° {email.pk} en échec après 6 essai(s)" in caplog.text
    assert "@" not in caplog.text
    assert not mail.outbox
    # Nothing lost: the sweeper leaves a failed email alone, the operator sees it.
    assert sweep_emails(moment + datetime.timedelta(days=1)).requeued == 0
    assert Email.objects.get().status == EmailStatus.FAILED


def test_a_long_error_is_cut(monkeypatch):
    def send(message, *args, **kwargs):
        raise OSError("x" * 900)

    monkeypatch.setattr(EmailMessage, "send", send)
    email = queue()
    run_tasks(at=START)
    assert len(reload(email).last_error) == 500


# --- The operator sends a failed one again ----------------------------------------------


def failed_email(programme, **fields) -> Email:
    """An email that failed its last attempt (no task left)."""
    return Email.objects.create(
        kind=EmailKind.PASSWORD_RESET,
        programme=programme,
        recipient="jeanne@exemple.fr",
        subject="S",
        body="B",
        status=EmailStatus.FAILED,
        attempts=MAX_ATTEMPTS,
        last_error="ConnectionRefusedError: …",
        **fields,
    )


def test_the_operator_sends_a_failed_email_again(programme, make_actor):
    email = failed_email(programme)
    operator = make_actor(OrganisationKind.OPERATOR)

    with frozen(START + 3 * MINUTE):
        retry_email(operator, email)

    email = reload(email)
    assert (email.status, email.next_attempt_at) == (EmailStatus.QUEUED, START + 3 * MINUTE)
    assert run_tasks(at=START + 3 * MINUTE) == 1
    assert reload(email).status == EmailStatus.SENT
    assert reload(email).attempts == MAX_ATTEMPTS + 1
    assert len(mail.outbox) == 1


def test_another_failure_after_a_retry_fails_at_once(programme, make_actor, mail_server_down):
    email = failed_email(programme)
    retry_email(make_actor(OrganisationKind.OPERATOR), email)
    run_tasks()
    assert (reload(email).status, reload(email).attempts) == (EmailStatus.FAILED, 7)


@pytest.mark.parametrize("status", [EmailStatus.QUEUED, EmailStatus.SENT, EmailStatus.CANCELLED])
def test_only_a_failed_email_is_sent_again(programme, make_actor, status):
    email = queue(programme=programme)
    Email.objects.filter(pk=email.pk).update(
        status=status,
        sent_at=START if status == EmailStatus.SENT else None,
        next_attempt_at=START if status == EmailStatus.QUEUED else None,
    )
    with pytest.raises(EmailNotFailed, match="Seul un courriel en échec"):
        retry_email(make_actor(OrganisationKind.OPERATOR), reload(email))
    assert reload(email).status == status


@pytest.mark.parametrize(
    "kind", [OrganisationKind.REFERRER, OrganisationKind.DEPARTMENT, OrganisationKind.PROVIDER]
)
def test_only_the_operator_sends_again(programme, make_actor, kind):
    email = failed_email(programme)
    with pytest.raises(NotAllowed, match=r"Seul le pilote suit l'envoi des courriels\."):
        retry_email(make_actor(kind), email)
    assert reload(email).status == EmailStatus.FAILED


# --- Secrets ------------------------------------------------------------------------------


def secret(**fields) -> Email:
    return queue(
        kind=EmailKind.PASSWORD_RESET,
        body="https://exemple.fr/mot-de-passe/nouveau/secret/",
        secret_until=START + datetime.timedelta(days=3),
        **fields,
    )


def test_a_secret_is_erased_once_sent():
    email = secret()
    assert "secret" in email.body
    run_tasks(at=START)
    email = reload(email)
    assert email.status == EmailStatus.SENT
    assert (email.body, email.body_erased_at) == ("", START)
    assert "secret" in mail.outbox[0].body


def test_a_failed_secret_is_kept_until_it_expires_then_erased(
    programme, make_actor, mail_server_down
):
    email = secret(programme=programme)
    fail_every_attempt(email)
    assert reload(email).status == EmailStatus.FAILED
    assert "secret" in reload(email).body  # the operator may still send it again

    assert sweep_emails(START + datetime.timedelta(days=2)).expired == 0
    assert sweep_emails(START + datetime.timedelta(days=3)).expired == 1

    email = reload(email)
    assert (email.body, email.body_erased_at) == ("", START + datetime.timedelta(days=3))
    with pytest.raises(SecretErased, match="doit refaire sa demande"):
        retry_email(make_actor(OrganisationKind.OPERATOR), email)


def test_a_secret_that_expired_before_its_turn_is_not_sent():
    email = secret()
    late = START + datetime.timedelta(days=3)

    run_tasks(at=late)

    email = reload(email)
    assert (email.status, email.last_error, email.body) == (
        EmailStatus.FAILED,
        "Lien expiré avant l'envoi.",
        "",
    )
    assert not mail.outbox


def test_the_sweeper_fails_a_queued_secret_that_expired():
    email = secret()
    assert sweep_emails(START + datetime.timedelta(days=3)).expired == 1
    email = reload(email)
    assert (email.status, email.body, email.next_attempt_at) == (EmailStatus.FAILED, "", None)


# --- The sweeper: never lost --------------------------------------------------------------


@pytest.fixture
def enqueued():
    """An email queued at START, its task enqueued (the commit came), not run yet."""
    email = queue()
    commit()
    email = reload(email)
    assert DBTaskResult.objects.filter(id=email.task_id, status=TaskResultStatus.READY)
    return email


def test_a_queued_email_whose_task_was_lost_is_queued_again(enqueued):
    DBTaskResult.objects.all().delete()  # lost

    assert sweep_emails(START + LOST_AFTER - datetime.timedelta(seconds=1)).requeued == 0
    assert sweep_emails(START + LOST_AFTER).requeued == 1
    assert run_tasks(at=START + LOST_AFTER) == 1
    assert reload(enqueued).status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_the_sweeper_finds_a_lost_task_once(enqueued):
    DBTaskResult.objects.all().delete()
    assert sweep_emails(START + LOST_AFTER).requeued == 1
    commit()
    assert sweep_emails(START + LOST_AFTER).requeued == 0  # its new task is ready
    assert DBTaskResult.objects.get().args_kwargs == {"args": [enqueued.pk, 0], "kwargs": {}}


def test_an_email_never_enqueued_is_found():
    """The process stopped between the commit and the enqueue: no task, no task id."""
    email = Email.objects.create(
        kind=EmailKind.PASSWORD_RESET,
        recipient="a@exemple.fr",
        subject="S",
        next_attempt_at=START,
    )
    assert sweep_emails(START + LOST_AFTER).requeued == 1
    run_tasks(at=START + LOST_AFTER)
    assert reload(email).status == EmailStatus.SENT


def test_a_task_left_running_by_a_killed_worker_is_replaced(enqueued):
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)  # its worker was killed

    assert sweep_emails(START + LOST_AFTER).requeued == 1
    assert run_tasks(at=START + LOST_AFTER) == 1
    assert reload(enqueued).status == EmailStatus.SENT


def test_a_ready_task_is_not_lost_even_long_overdue(enqueued):
    """The workers were stopped for a day: the task waits for them, nothing to re-enqueue."""
    assert sweep_emails(START + datetime.timedelta(days=1)).requeued == 0
    assert DBTaskResult.objects.count() == 1


def test_a_stale_task_does_nothing(enqueued, mail_server_down):
    """A task enqueued for an attempt already made (its duplicate ran first) skips."""
    enqueue_delivery(enqueued.pk, 0)
    assert run_tasks(at=START) == 2  # one attempt fails, the other task is stale
    assert reload(enqueued).attempts == 1
    outcomes = sorted(DBTaskResult.objects.values_list("return_value", flat=True), key=str)
    assert outcomes == [None, "retry", "skipped"]  # None: the retry, ready at 9:01


def test_a_crashed_delivery_is_replaced(monkeypatch):
    """A delivery that crashed (the database went away, say) leaves its task failed and the
    email queued, untouched."""
    email = queue()

    def crash(email):
        raise ConnectionError("la base ne répond plus")

    monkeypatch.setitem(delivery._checks, EmailKind.PASSWORD_RESET, crash)
    run_tasks(at=START)
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert (reload(email).status, reload(email).attempts) == (EmailStatus.QUEUED, 0)
    monkeypatch.undo()

    assert sweep_emails(START + LOST_AFTER).requeued == 1
    run_tasks(at=START + LOST_AFTER)
    assert reload(email).status == EmailStatus.SENT


# --- passnum worker -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_sweeps_then_runs_the_queue():
    email = queue()
    DBTaskResult.objects.all().delete()  # lost
    out = StringIO()

    with frozen(START + LOST_AFTER):
        call_command("worker", "--batch", "--worker-id", "essai", stdout=out)

    assert (
        "Processus d'envoi essai : file(s) emails, exports ; 1 courriel(s) remis en file au "
        "démarrage ; exécute les tâches prêtes puis s'arrête." in out.getvalue()
    )
    assert reload(email).status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_the_worker_command_speaks_french():
    text = WorkerCommand().create_parser("passnum", "worker").format_help()
    assert "Processus d'envoi : exécute les tâches en arrière-plan" in text
    assert "exécuter les tâches prêtes puis s'arrêter" in text


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--interval", "-1"], "n'est pas un nombre de secondes positif"),
        (["--interval", "nan"], "n'est pas un nombre de secondes positif"),
        (["--max-tasks", "0"], "n'est pas un nombre entier positif"),
        (["--worker-id", "x" * 65], "compte de 1 à 64 caractères"),
    ],
)
def test_the_worker_command_explains_a_bad_option(db, option, message):
    with pytest.raises(CommandError, match=message):
        call_command("worker", *option)
    assert not DBTaskResult.objects.exists()


# --- Two workers at once (PostgreSQL) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_an_email_twice(postgres_only, monkeypatch):
    """Each email has two tasks (the sweeper re-enqueued it, say) and two real workers run
    them at once, each on its own connection: the row lock lets one send, the other skips."""
    for n in range(6):
        with frozen(START + n * datetime.timedelta(seconds=1)):
            email = queue_email(
                kind=EmailKind.PASSWORD_RESET,
                recipient=f"personne{n}@exemple.fr",
                subject="S",
                body="B",
            )
            enqueue_delivery(email.pk, 0)  # its two tasks side by side in the queue
    assert DBTaskResult.objects.count() == 12
    real_send = EmailMessage.send

    def slow_send(message, *args, **kwargs):
        time.sleep(0.1)  # the mail server takes its time: the other worker comes meanwhile
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    barrier = threading.Barrier(2)
    ran, errors = [], []

    def work(name):
        try:
            worker = project_worker(batch=True, interval=0, worker_id=name, startup_delay=False)
            barrier.wait(timeout=10)
            worker.run()
            ran.append(worker._run_tasks)
        except Exception as exc:  # the outcome is what the test checks
            errors.append(exc)
        finally:
            connection.close()

    with frozen(START + MINUTE):
        threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    assert sum(ran) == 12
    assert all(ran), ran  # both workers took part
    assert sorted(m.to[0] for m in mail.outbox) == [f"personne{n}@exemple.fr" for n in range(6)]
    assert set(Email.objects.values_list("status", "attempts")) == {(EmailStatus.SENT, 1)}
    outcomes = sorted(DBTaskResult.objects.values_list("return_value", flat=True))
    assert outcomes == ["sent"] * 6 + ["skipped"] * 6
    workers = DBTaskResult.objects.values_list("worker_ids", flat=True)
    assert {w for ids in workers for w in ids} == {"w0", "w1"}


@pytest.mark.django_db(transaction=True)
def test_a_failed_enqueue_loses_nothing(monkeypatch, caplog):
    """The task table cannot be written after the commit: the caller goes on, the email
    stays queued without a task, and the sweeper enqueues it later."""

    def broken(*args):
        raise ConnectionError("la base ne répond plus")

    monkeypatch.setattr(delivery, "enqueue_delivery", broken)
    with caplog.at_level(logging.ERROR), transaction.atomic():
        email = queue()

    assert "Error calling enqueue_on_commit.<locals>.enqueue in on_commit()" in caplog.text
    assert "@" not in caplog.text
    email = reload(email)
    assert (email.status, email.task_id) == (EmailStatus.QUEUED, None)
    assert not DBTaskResult.objects.exists()
    monkeypatch.undo()

    assert sweep_emails(START + LOST_AFTER).requeued == 1
    assert run_tasks(at=START + LOST_AFTER) == 1
    assert reload(email).status == EmailStatus.SENT
