"""The work ``passnum daily`` runs for the apps above the one holding the command.

The command lives in ``passes`` (expiry, reminders); an app of a higher layer cannot be imported
from there, so it registers its daily job here, in its ``AppConfig.ready()``. A job receives the
day and returns a French sentence for the command's summary (empty: nothing to say). Jobs must be
safe to run twice on the same day.
"""

import datetime
from collections.abc import Callable

DailyJob = Callable[[datetime.date], str]
_jobs: list[DailyJob] = []


def register_daily(job: DailyJob) -> None:
    if job not in _jobs:
        _jobs.append(job)


def run_daily_jobs(today: datetime.date) -> list[str]:
    """Run every registered job, in the order registered; their non-empty sentences."""
    return [text for job in _jobs if (text := job(today))]
