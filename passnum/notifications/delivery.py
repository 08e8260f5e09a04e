"""Delivering the outbox: the background task of one attempt, the attempt itself (under a row
lock), its retries with exponential backoff, and giving up after a fixed number of attempts.

The task carries the email's id and the number of attempts made before it (nothing personal
in the task table); the row says everything else. Delivery is at least once: an email is
marked sent in the transaction that holds its row lock while the mail server accepts it, so two
workers never send it twice; a crash between the mail server's acceptance and the commit sends
it again on the next attempt.
"""

import datetime
import logging
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from passnum.common.text import without_email_addresses

from .models import Email, EmailKind, EmailStatus

logger = logging.getLogger(__name__)

EMAILS_QUEUE = "emails"

# Attempts before an email is marked failed; the n-th failure waits
# FIRST_RETRY_DELAY × BACKOFF_FACTOR^(n-1): 1 min, 4 min, 16 min, 1 h 04, 4 h 16 (about 5 h 40
# from the first attempt to the sixth).
MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = datetime.timedelta(minutes=1)
BACKOFF_FACTOR = 4
Check = Callable[[Email], bool]
_checks: dict[str, Check] = {}


def register_check(kind: EmailKind, check: Check) -> None:
    """``check(email)`` is asked right before each attempt of an email of this kind: False
    means it no longer has a purpose (it becomes « sans objet », not sent). The domain that
    queues the emails registers it (in its ``AppConfig.ready``)."""
    _checks[EmailKind(kind)] = check


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return FIRST_RETRY_DELAY * BACKOFF_FACTOR ** (attempts - 1)


@task(queue_name=EMAILS_QUEUE)
def deliver_email(email_id: int, attempts_before: int) -> str:
    return deliver(email_id, attempts_before)


def enqueue_on_commit(email_id: int, attempts_before: int, run_after=None) -> None:
    # A function, not a partial: Django names it (__qualname__) when it logs its failure.
    def enqueue():
        enqueue_delivery(email_id, attempts_before, run_after)

    transaction.on_commit(enqueue, robust=True)


def enqueue_delivery(
    email_id: int, attempts_before: int, run_after: datetime.datetime | None = None
) -> None:
    """Enqueue the attempt that follows ``attempts_before`` attempts, and remember its task (the
    sweeper looks for it). Called after a commit: if it fails, the email stays queued and the
    sweeper enqueues it later."""
    task = deliver_email.using(run_after=run_after) if run_after else deliver_email
    result = task.enqueue(email_id, attempts_before)
    Email.objects.filter(pk=email_id, status=EmailStatus.QUEUED).update(task_id=result.id)


def _message(email: Email) -> EmailMessage:
    return EmailMessage(subject=email.subject, body=email.body, to=[email.recipient])


def _describe(exc: BaseException) -> str:
    """The error as kept and logged: its kind and message, no email address."""
    text = without_email_addresses(f"{type(exc).__name__}: {exc}".strip())
    return text if len(text) <= 500 else text[:499] + "…"


def erase_secret(email: Email, now) -> None:
    if email.secret_until is not None and email.body_erased_at is None:
        email.body = ""
        email.body_erased_at = now


def deliver(email_id: int, attempts_before: int) -> str:
    """One delivery attempt (the body of the ``deliver_email`` task). Returns what happened:
    ``sent``, ``retry``, ``failed``, ``cancelled``, or ``skipped``: another worker holds the
    email, or it is no longer queued, or it has had attempts since this task was enqueued (a
    duplicate task: the sweeper re-enqueued it while its first task was still alive)."""
    now = timezone.now()
    with transaction.atomic():
        email = Email.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if (
            email is None
            or email.status != EmailStatus.QUEUED
            or email.attempts != attempts_before
        ):
            return "skipped"
        if email.secret_until is not None and email.secret_until <= now:
            email.last_error = "Lien expiré avant l'envoi."
            give_up(email, now)
            return "failed"
        check = _checks.get(email.kind)
        if check is not None and not check(email):
            email.status = EmailStatus.CANCELLED
            email.next_attempt_at = None
            erase_secret(email, now)
            email.save()
            return "cancelled"
        email.attempts += 1
        try:
            _message(email).send()
        except Exception as exc:
            email.last_error = _describe(exc)
            if email.attempts >= MAX_ATTEMPTS:
                give_up(email, now)
                return "failed"
            email.next_attempt_at = now + retry_delay(email.attempts)
            email.save()
            logger.warning(
                "Courriel n° %s non envoyé (essai %s sur %s), nouvel essai à %s : %s",
                email.pk,
                email.attempts,
                MAX_ATTEMPTS,
                timezone.localtime(email.next_attempt_at).strftime("%H:%M"),
                email.last_error,
            )
            enqueue_on_commit(email.pk, email.attempts, email.next_attempt_at)
            return "retry"
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        erase_secret(email, email.sent_at)
        email.save()
        return "sent"


def give_up(email: Email, now) -> None:
    email.status = EmailStatus.FAILED
    email.next_attempt_at = None
    if email.secret_until is not None and email.secret_until <= now:
        erase_secret(email, now)
    email.save()
    logger.error(
        "Courriel n° %s en échec après %s essai(s) : %s",
        email.pk,
        email.attempts,
        email.last_error,
    )
