"""Reading the outbox: what the operator of a programme sees (never a body, never a whole
address)."""

from django.db.models import Count

from passnum.common.exceptions import InvalidInput
from passnum.organisations.permissions import Capability, ensure_can

from .exceptions import EmailNotFound
from .models import Email, EmailStatus

# What a list reads of an email: no subject (a reminder's names a person), no body.
LISTED_FIELDS = [
    "kind",
    "programme_id",
    "recipient",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "created_at",
    "sent_at",
    "secret_until",
    "body_erased_at",
]
TO_WATCH = [EmailStatus.QUEUED, EmailStatus.FAILED]


def emails_visible_to(actor, *, status: str | None = None, statuses=None):
    """The emails of the operator's programme, newest first (one query); other roles are
    refused. ``status`` comes from the request and is checked; ``statuses`` from the code."""
    ensure_can(actor, Capability.MONITOR_EMAILS)
    emails = Email.objects.filter(programme=actor.programme)
    if status:
        if status not in EmailStatus.values:
            raise InvalidInput(
                f"Statut inconnu : « {status} » (attendu : {', '.join(EmailStatus.values)}).",
                code="invalid_input",
                field="status",
            )
        emails = emails.filter(status=status)
    if statuses is not None:
        emails = emails.filter(status__in=statuses)
    return emails.only(*LISTED_FIELDS).order_by("-created_at", "-pk")


def emails_to_watch(actor):
    """Queued and failed emails: those the operator keeps an eye on."""
    return emails_visible_to(actor, statuses=TO_WATCH)


def email_for(actor, email_id) -> Email:
    try:
        return emails_visible_to(actor).get(pk=email_id)
    except (Email.DoesNotExist, ValueError, TypeError):
        raise EmailNotFound from None


def counts_by_status(actor) -> dict[str, int]:
    """How many emails of the programme in each status (every status present, in one
    query)."""
    counted = dict(
        emails_visible_to(actor)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {status: counted.get(status, 0) for status in EmailStatus.values}


def failed_count() -> int:
    """Failed emails of every programme (for ``passnum daily``'s summary)."""
    return Email.objects.filter(status=EmailStatus.FAILED).count()
