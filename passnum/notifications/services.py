"""The outbox's rules: queue an email, let the operator retry a failed one, find the emails
whose task was lost (the sweeper). The delivery itself is ``delivery.py``."""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from passnum.organisations.permissions import Capability, ensure_can

from .delivery import enqueue_on_commit, erase_secret, give_up
from .exceptions import EmailNotFailed, SecretErased
from .models import Email, EmailKind, EmailStatus

logger = logging.getLogger(__name__)

# A queued email still waiting this long after its due time, with no task ready to send it,
# has lost its task (a process stopped between the commit and the enqueue, a worker killed in
# the middle of a delivery, a task that crashed): the sweeper enqueues a new one.
LOST_AFTER = datetime.timedelta(minutes=2)


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
    enqueue_on_commit(email.pk, email.attempts)
    return email


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
        enqueue_on_commit(email.pk, email.attempts)
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
                give_up(email, now)
            else:
                erase_secret(email, now)
                email.save(update_fields=["body", "body_erased_at"])
        lost = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now - LOST_AFTER)
            .exclude(Exists(ready_task))
            .values_list("pk", "attempts")
        )
        for email_id, attempts in lost:
            enqueue_on_commit(email_id, attempts)
    if lost:
        logger.warning("%s courriel(s) en file sans tâche d'envoi : remis en file.", len(lost))
    return SweepResult(requeued=len(lost), expired=len(expired))
