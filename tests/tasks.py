"""Background tasks in tests: the real database backend (django-tasks-db) and its real worker,
run in the test's process."""

import datetime
from contextlib import ExitStack, contextmanager
from unittest import mock

from django.db import connection

from passnum.notifications.worker import project_worker


def run_tasks(*, at: datetime.datetime | None = None) -> int:
    """Run every task that is due, as ``passnum worker --batch`` does, then return how many
    ran. ``at``: the moment to run them at (a retry scheduled later is due then).

    In a test wrapped in a transaction, the commits that enqueue the tasks never come: their
    on-commit callbacks run here, before the worker and after it (those of the tasks), as the
    commits would run them; and the worker leaves the connection open (it would close one
    left outside autocommit)."""
    with ExitStack() as stack:
        if at is not None:
            stack.enter_context(frozen(at))
        if connection.in_atomic_block:
            commit()
            stack.callback(commit)
            stack.enter_context(
                mock.patch(
                    "django_tasks_db.management.commands.db_worker.close_old_connections",
                    return_value=None,
                )
            )
        worker = project_worker(batch=True, interval=0, worker_id="tests", startup_delay=False)
        worker.run()
        return worker._run_tasks


def commit() -> None:
    """What the commit of the test's transaction would do: run (once) the on-commit callbacks
    registered so far, those that enqueue the tasks."""
    pending, connection.run_on_commit[:] = connection.run_on_commit[:], []
    for _savepoints, callback, _robust in pending:
        callback()


@contextmanager
def frozen(moment: datetime.datetime):
    """``timezone.now()`` is ``moment`` inside the block (for the code and the worker alike):
    emails queued on a past day are due on that day."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
