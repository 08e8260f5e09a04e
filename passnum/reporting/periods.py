"""The period a report covers: ``from`` and ``to`` as typed by a person or an API client.

Both ends are optional and inclusive; a missing end leaves that side open. A date that is not a
real ``AAAA-MM-JJ`` date, or a start after the end, is refused with a French message
(``InvalidInput``: 422 on the API, a form error on the site).
"""

import datetime
from dataclasses import dataclass

from passnum.common.exceptions import InvalidInput

# Dates outside these years are typing mistakes, not periods of a programme.
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class Period:
    start: datetime.date | None = None
    end: datetime.date | None = None

    def __post_init__(self):
        if self.start and self.end and self.start > self.end:
            raise InvalidInput(
                "La date de début de la période est postérieure à sa date de fin.",
                code="invalid_period",
                field="from",
            )

    def contains(self, day: datetime.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def date_filter(self, field: str) -> dict:
        """ORM lookups keeping the rows whose date ``field`` lies in the period."""
        lookups = {}
        if self.start is not None:
            lookups[f"{field}__gte"] = self.start
        if self.end is not None:
            lookups[f"{field}__lte"] = self.end
        return lookups

    def datetime_filter(self, field: str) -> dict:
        """ORM lookups for a date-time ``field`` (whole days, in the site's time zone)."""
        lookups = {}
        if self.start is not None:
            lookups[f"{field}__date__gte"] = self.start
        if self.end is not None:
            lookups[f"{field}__date__lte"] = self.end
        return lookups

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None


EVERYTHING = Period()

LABELS = {"from": "de début", "to": "de fin"}


def parse_date(value: str | None, field: str) -> datetime.date | None:
    """A date typed as ``AAAA-MM-JJ`` (empty: none); ``field`` is ``from`` or ``to``."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) != 10 or not value.isascii():
            raise ValueError
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"La date {LABELS[field]} « {value[:20]} » n'est pas une date valide (AAAA-MM-JJ).",
            code="invalid_date",
            field=field,
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            f"La date {LABELS[field]} doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}.",
            code="invalid_date",
            field=field,
        )
    return day


def parse_period(start: str | None, end: str | None) -> Period:
    """The period from the ``from`` and ``to`` parameters of a request."""
    return Period(parse_date(start, "from"), parse_date(end, "to"))
