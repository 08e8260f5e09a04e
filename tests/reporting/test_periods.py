import datetime

import pytest

from passnum.common.exceptions import InvalidInput
from passnum.reporting.periods import Period, parse_period


def test_both_ends_are_optional_and_inclusive():
    period = parse_period("2026-01-01", "2026-01-31")
    assert period == Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    assert period.contains(datetime.date(2026, 1, 31))
    assert not period.contains(datetime.date(2026, 2, 1))
    assert parse_period("", None).is_open


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-02-30", None, "La date de début « 2026-02-30 » n'est pas une date valide"),
        ("2026-1-1", None, "n'est pas une date valide (AAAA-MM-JJ)"),
        (None, "２０２６-01-01", "La date de fin"),
        ("1900-01-01", None, "comprise entre 2000 et 2100"),
        ("2026-03-01", "2026-02-01", "La date de début de la période est postérieure"),
    ],
)
def test_bad_dates_are_refused_in_french(start, end, message):
    with pytest.raises(InvalidInput) as refused:
        parse_period(start, end)
    assert message in refused.value.message
