"""A statement's month and number: parsed, named in French, numbered."""

import calendar
import datetime
import re

from .exceptions import InvalidPeriod

PERIOD_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def parse_period(value) -> datetime.date:
    """« 2026-03 » → 1 March 2026; anything else is ``invalid_period`` (422)."""
    found = PERIOD_RE.match(str(value or "").strip())
    if not found:
        raise InvalidPeriod(field="period")
    year, month = int(found.group(1)), int(found.group(2))
    if not (1 <= month <= 12 and year >= 2000):
        raise InvalidPeriod(field="period")
    return datetime.date(year, month, 1)


def last_day_of(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_label(period: datetime.date) -> str:
    """1 March 2026 → « mars 2026 »."""
    return f"{MONTHS[period.month - 1]} {period.year}"


def statement_number(statement) -> str:
    return f"{statement.period:%Y%m}-{statement.pk}"
