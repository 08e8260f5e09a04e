"""The open data computed from the database: equal to a direct count of the records, under
the rule of secrecy, in a constant number of queries, each programme apart."""

from collections import defaultdict

import pytest

from passnum.reporting.open_data import (
    COMMUNE,
    MEASURES,
    PUBLIC_CODES,
    SMALL,
    TERRITORY,
    WITHHELD,
    open_data,
)
from passnum.territories.services import load_communes
from tests.factories import ProgrammeFactory

from .opendata_data import TODAY, build_activity, expected_figures


@pytest.fixture
def lozere(db):
    load_communes("48")
    programme = ProgrammeFactory(name="Pass numérique Lozère 2026-2028")
    build_activity(programme, people=40)
    return programme


def published_of(programme, today=TODAY):
    [data] = [d for d in open_data(today=today) if d.programme == programme]
    return data


def assert_matches(data, expected) -> int:
    """Every published value agrees with the direct count; returns how many values were
    published as numbers other than 0 (so that the comparison means something)."""
    rows = {(f"{r.month:%Y-%m}", r.level, r.geo_code, r.public): r for r in data.rows}
    assert len(rows) == len(data.rows), "une ligne en double"
    months = [f"{m:%Y-%m}" for m in data.months]
    numbers = 0
    for measure in MEASURES:
        figures = expected[measure]
        assert {month for month, _, _ in figures} <= set(months)
        line_totals = defaultdict(int)
        for (month, _, public), count in figures.items():
            line_totals[month, public] += count
        for month in months:
            for public in PUBLIC_CODES:
                total = line_totals[month, public]
                shown = getattr(rows[month, TERRITORY, "48", public], measure_attr(measure))
                if isinstance(shown, int):
                    assert shown == total, (measure, month, public)
                    numbers += shown > 0
                elif shown == SMALL:
                    assert 1 <= total <= 4
                else:
                    assert shown == WITHHELD
        for (month, code, public), count in figures.items():
            # a commune's count has its row, unless the line's total is under 5 (no breakdown)
            row = rows.get((month, COMMUNE, code, public))
            withheld = 1 <= line_totals[month, public] <= 4
            assert row is not None or withheld, f"{measure} {month} {code} {public} = {count}"
        for (month, level, code, public), row in rows.items():
            if level != COMMUNE:
                continue
            count = figures.get((month, code, public), 0)
            shown = getattr(row, measure_attr(measure))
            if isinstance(shown, int):
                assert shown == count, (measure, month, code, public)
                numbers += shown > 0
            elif shown == SMALL:
                assert 0 <= count <= 4
            else:
                assert shown == WITHHELD
                assert 1 <= line_totals[month, public] <= 4
    return numbers


def measure_attr(measure: str) -> str:
    return {"personnes_chequier": "people", "pass_utilises": "passes"}[measure]


def test_published_values_equal_a_direct_count(lozere):
    data = published_of(lozere)
    assert [f"{m:%Y-%m}" for m in data.months] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    expected = expected_figures(lozere)
    assert assert_matches(data, expected) >= 3
    # The six rSa people of Mende in February are published as such.
    [mende] = [
        r
        for r in data.rows
        if r.level == COMMUNE
        and r.geo_code == "48095"
        and r.public == "rsa"
        and f"{r.month:%Y-%m}" == "2026-02"
    ]
    assert mende.people == expected["personnes_chequier"]["2026-02", "48095", "rsa"] >= 6
    values = [v for r in data.rows for v in (r.people, r.passes)]
    assert SMALL in values  # the rule had something to protect


def test_june_is_not_published_until_it_is_over(lozere):
    assert "2026-06" not in {f"{r.month:%Y-%m}" for r in published_of(lozere).rows}
    july = published_of(lozere, today=TODAY.replace(month=7, day=1))
    assert f"{july.months[-1]:%Y-%m}" == "2026-06"
    assert_matches(july, expected_figures(lozere, today=TODAY.replace(month=7, day=1)))


def test_undone_sessions_are_not_counted(lozere):
    """The undone session's passes are back to « assigned » and not in the figures (the direct
    count leaves undone redemptions out, and it agrees with what is published)."""
    from passnum.redemptions.models import Redemption

    undone = Redemption.objects.filter(programme=lozere).exclude(undone_at=None)
    assert undone.exists()
    assert_matches(published_of(lozere), expected_figures(lozere))


def test_two_programmes_do_not_mix(lozere):
    other = ProgrammeFactory(name="Pass numérique Lozère, autre programme")
    build_activity(other, people=12, seed=11, crowd="48061")
    published = {d.programme: d for d in open_data(today=TODAY)}
    assert set(published) == {lozere, other}
    assert {r.programme for r in published[lozere].rows} == {lozere.name}
    assert {r.programme for r in published[other].rows} == {other.name}
    assert_matches(published[lozere], expected_figures(lozere))
    assert_matches(published[other], expected_figures(other))
    # the other programme's crowd of Florac is in its own rows only
    florac = [
        r
        for r in published[other].rows
        if r.geo_code == "48061" and r.public == "rsa" and f"{r.month:%Y-%m}" == "2026-02"
    ]
    assert florac[0].people >= 6


def test_a_programme_not_started_publishes_nothing(db):
    ProgrammeFactory(starts_on=TODAY.replace(day=1), ends_on=TODAY.replace(year=2028))
    assert open_data(today=TODAY) == []


def test_months_without_activity_publish_zeros(db):
    load_communes("48")
    programme = ProgrammeFactory()
    [data] = open_data(today=TODAY)
    assert data.programme == programme
    assert len(data.rows) == 5 * len(PUBLIC_CODES)
    assert {(r.level, r.people, r.passes) for r in data.rows} == {(TERRITORY, 0, 0)}


def test_query_count_is_constant(db, django_assert_num_queries):
    load_communes("48")
    small = ProgrammeFactory(name="Petit")
    build_activity(small, people=8, seed=3)
    with django_assert_num_queries(4):
        open_data(today=TODAY)
    big = ProgrammeFactory(name="Grand")
    build_activity(big, people=40, seed=5)
    with django_assert_num_queries(4):
        published = open_data(today=TODAY)
    assert len(published) == 2
