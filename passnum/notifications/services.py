"""The outbox's rules: queue an email, deliver it (one attempt per task, under a row lock),
retry with exponential backoff, give up after a fixed number of attempts, find the emails whose
task was lost.

Delivery is at least once: an email is marked sent in the transaction that holds its row lock
while the mail server accepts it, so two workers never send it twice; a crash between the mail
server's acceptance and the commit sends it again on the next attempt.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from passnum.common.text import without_email_addresses
from passnum.organisations.permissions import Capability, ensure_can

from .exceptions import EmailNotFailed, SecretErased
from .models import Email, EmailKind, EmailStatus
from .tasks import deliver_email

logger = logging.getLogger(__name__)

# Attempts before an email is marked failed; the n-th failure waits
# FIRST_RETRY_DELAY × BACKOFF_FACTOR^(n-1): 1 min, 4 min, 16 min, 1 h 04, 4 h 16 (about 5 h 40
# from the first attempt to the sixth).
MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = datetime.timedelta(minutes=1)
BACKOFF_FACTOR = 4
# A queued email still waiting this long after its due time, with no task ready to send it,
# has lost its task (a process stopped between the commit and the enqueue, a worker killed in
# the middle of a delivery, a task that crashed): the sweeper enqueues a new one.
LOST_AFTER = datetime.timedelta(minutes=2)

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


def queue_email(
    *,
    kind: EmailKind,
    recipient: str,
    subject: str,
    body: str,
    programme=None,
    secret_until: datetime.datetime | None = None,
) -> Email:
    """Write the email in the outbox; its delivery task is enqueued once the current
    transaction commits (never for a rolled-back one). ``secret_until``: the body holds a secret
    valid until then (erased once sent or expired)."""
    email = Email.objects.create(
        kind=EmailKind(kind),
        programme=programme,
        recipient=recipient,
        subject=" ".join(subject.split()),
        body=body,
        secret_until=secret_until,
        status=EmailStatus.QUEUED,
        next_attempt_at=timezone.now(),
    )
    _enqueue_on_commit(email.pk, email.attempts)
    return email


def _enqueue_on_commit(email_id: int, attempts_before: int, run_after=None) -> None:
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


def _erase_secret(email: Email, now) -> None:
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
            _give_up(email, now)
            return "failed"
        check = _checks.get(email.kind)
        if check is not None and not check(email):
            email.status = EmailStatus.CANCELLED
            email.next_attempt_at = None
            _erase_secret(email, now)
            email.save()
            return "cancelled"
        email.attempts += 1
        try:
            _message(email).send()
        except Exception as exc:
            email.last_error = _describe(exc)
            if email.attempts >= MAX_ATTEMPTS:
                _give_up(email, now)
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
            _enqueue_on_commit(email.pk, email.attempts, email.next_attempt_at)
            return "retry"
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        _erase_secret(email, email.sent_at)
        email.save()
        return "sent"


def _give_up(email: Email, now) -> None:
    email.status = EmailStatus.FAILED
    email.next_attempt_at = None
    if email.secret_until is not None and email.secret_until <= now:
        _erase_secret(email, now)
    email.save()
    logger.error(
        "Courriel n° %s en échec après %s essai(s) : %s",
        email.pk,
        email.attempts,
        email.last_error,
    )


def retry_email(actor, email: Email) -> Email:
    """The operator sends a failed email again: queued now, one more attempt (failed again at
    once if it fails: the operator sees it). Refused when its secret was erased."""
    ensure_can(actor, Capability.MONITOR_EMAILS, programme=email.programme)
    with transaction.atomic():
        email = Email.objects.select_for_update().get(pk=email.pk)
        if email.status != EmailStatus.FAILED:
            raise EmailNotFailed
        if email.body_erased_at is not None:
            raise SecretErased
        email.status = EmailStatus.QUEUED
        email.next_attempt_at = timezone.now()
        email.save(update_fields=["status", "next_attempt_at"])
        _enqueue_on_commit(email.pk, email.attempts)
    return email


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    expired: int


def sweep_emails(now: datetime.datetime | None = None) -> SweepResult:
    """Run by ``passnum daily`` and when a worker starts. Enqueue again every queued email
    whose task was lost (overdue by ``LOST_AFTER`` with no task ready to send it); fail the
    queued emails whose secret expired before they could go, and erase the expired secrets of
    the failed ones."""
    now = now or timezone.now()
    ready_task = DBTaskResult.objects.filter(id=OuterRef("task_id"), status=TaskResultStatus.READY)
    with transaction.atomic():
        expired = list(
            Email.objects.select_for_update(skip_locked=True).filter(
                secret_until__lte=now, body_erased_at__isnull=True
            )
        )
        for email in expired:
            if email.status == EmailStatus.QUEUED:
                email.last_error = "Lien expiré avant l'envoi."
                _give_up(email, now)
            else:
                _erase_secret(email, now)
                email.save(update_fields=["body", "body_erased_at"])
        lost = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now - LOST_AFTER)
            .exclude(Exists(ready_task))
            .values_list("pk", "attempts")
        )
        for email_id, attempts in lost:
            _enqueue_on_commit(email_id, attempts)
    if lost:
        logger.warning("%s courriel(s) en file sans tâche d'envoi : remis en file.", len(lost))
    return SweepResult(requeued=len(lost), expired=len(expired))
