"""The background task of the outbox: one delivery attempt of one email. It carries the
email's id and the number of attempts made before it (nothing personal in the task table);
the row says everything else."""

from django_tasks import task

EMAILS_QUEUE = "emails"


@task(queue_name=EMAILS_QUEUE)
def deliver_email(email_id: int, attempts_before: int) -> str:
    from .services import deliver

    return deliver(email_id, attempts_before)
