"""The project's worker: django-tasks-db's, on the project's queues (``TASKS``)."""

from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.management.commands.db_worker import Worker


def project_worker(
    *,
    batch: bool = False,
    interval: float = 1.0,
    max_tasks: int | None = None,
    worker_id: str | None = None,
    startup_delay: bool = True,
) -> Worker:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return Worker(
        queue_names=sorted(backend.queues),
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=startup_delay,
        max_tasks=max_tasks,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
    )
