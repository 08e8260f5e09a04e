"""The rule of statistical secrecy of the open data, over plain tables (no database).

The audit plays a reader who knows the rule and every published value: for each hidden value,
it lists every value consistent with what is published (brute force), and the test asks that
there are at least two. The rule itself is never used to compute those values.
"""

import datetime
import itertools
import os
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passnum.reporting.open_data import (
    COMMUNE,
    OUTSIDE_PRIORITY,
    PASSES,
    PEOPLE,
    PUBLIC_CODES,
    SMALL,
    TERRITORY,
    WITHHELD,
    ProtectedLine,
    build_rows,
    keyed_rank,
    primary,
    protect_line,
    published_months,
)

EXAMPLES = int(os.environ.get("PASSNUM_PROPERTY_EXAMPLES", "0")) * 20 or 200
SALT = b"sel-de-test"
PRIMARY = range(1, 5)  # what a reader knows of a count from 1 to 4
UP_TO_FOUR = range(0, 5)


def identity(key):
    return key


def audit(line: ProtectedLine, *, knows_rule: bool = True) -> dict:
    """What a reader can say of each hidden value of ``line``: every value it takes among the
    assignments consistent with the published values. Keys: the hidden cells, and ``"total"``
    when the total is hidden.

    Every reader knows that « < 5 » is 0 to 4 and that the total is the sum of the communes.
    One who ``knows_rule`` also knows what the rule implies: a total under 5 has no breakdown;
    a withheld total means no commune was 0 (the hidden cells are 1 to 4); otherwise exactly
    one hidden cell is the zero and the others are 1 to 4."""
    published = sum(v for v in line.cells.values() if isinstance(v, int))
    hidden = [key for key, value in line.cells.items() if not isinstance(value, int)]
    small = [key for key in hidden if line.cells[key] == SMALL]
    if knows_rule:
        if line.total == SMALL:
            assert not small, "un total « < 5 » ne s'accompagne d'aucune case « < 5 »"
        else:
            assert small == hidden, "seul le détail d'un total « < 5 » est « secret »"

    def domains():
        """Each possible assignment of the hidden cells, before the total's equation."""
        if not knows_rule or line.total == SMALL:
            yield from itertools.product(UP_TO_FOUR, repeat=len(hidden))
        elif line.total == WITHHELD:
            yield from itertools.product(PRIMARY, repeat=len(hidden))
        else:
            for zero in range(len(hidden)):
                for values in itertools.product(PRIMARY, repeat=len(hidden) - 1):
                    yield (*values[:zero], 0, *values[zero:])

    if line.total == WITHHELD:
        totals = None  # no equation
    elif line.total == SMALL:
        totals = set(PRIMARY)
    else:
        totals = {line.total}
    found: dict = {key: set() for key in hidden}
    if line.total == SMALL:
        found["total"] = set()
    for values in domains():
        total = published + sum(values)
        if totals is not None and total not in totals:
            continue
        for key, value in zip(hidden, values, strict=True):
            found[key].add(value)
        if line.total == SMALL:
            found["total"].add(total)
    return found


def check(counts: dict, line: ProtectedLine) -> None:
    """Every property the published ``line`` of ``counts`` must have."""
    total = sum(counts.values())
    assert line.cells.keys() == counts.keys()
    # What is published is true.
    for key, value in line.cells.items():
        if isinstance(value, int):
            assert value == counts[key]
            assert value == 0 or value >= 5, "un nombre de 1 à 4 est publié"
        elif value == SMALL:
            assert 0 <= counts[key] <= 4
        else:
            assert value == WITHHELD
    if isinstance(line.total, int):
        assert line.total == total
        assert total == 0 or total >= 5
    elif line.total == SMALL:
        assert 1 <= total <= 4
    # The brief's linear property: a published total has 0 or at least 2 hidden cells.
    hidden = [key for key, value in line.cells.items() if not isinstance(value, int)]
    if isinstance(line.total, int):
        assert len(hidden) != 1
    # The reader's audit: the truth is among the possibilities, and no hidden value is the only
    # possible one.
    for knows_rule in (True, False):
        for key, values in audit(line, knows_rule=knows_rule).items():
            truth = total if key == "total" else counts[key]
            assert truth in values, (key, values)
            assert len(values) >= 2, f"{key} se déduit des valeurs publiées : {values}"


# Small counts, with many zeros and many 1 to 4: the cases that matter.
cell_counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))
lines = st.dictionaries(
    st.sampled_from([f"480{n:02d}" for n in range(1, 9)]), cell_counts, min_size=1, max_size=6
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(counts=lines, salt=st.binary(min_size=1, max_size=8))
def test_no_hidden_value_can_be_recomputed(counts, salt):
    line = protect_line(counts, keyed_rank(salt, "ligne"))
    check(counts, line)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(
    table=st.dictionaries(
        st.tuples(
            st.sampled_from(["2026-01", "2026-02"]),
            st.sampled_from(["48001", "48002", "48003", "48004", "48005"]),
            st.sampled_from(["rsa", "senior", OUTSIDE_PRIORITY]),
        ),
        cell_counts,
    )
)
def test_every_line_of_a_random_table_is_protected(table):
    """A table month × commune × public: each line (month × public) checked on its own, as the
    only published sums are the lines' totals."""
    communes = ["48001", "48002", "48003", "48004", "48005"]
    for month in ["2026-01", "2026-02"]:
        for public in ["rsa", "senior", OUTSIDE_PRIORITY]:
            counts = {code: table.get((month, code, public), 0) for code in communes}
            check(counts, protect_line(counts, keyed_rank(SALT, month, public)))


def naive(counts: dict) -> ProtectedLine:
    """Only the counts from 1 to 4 hidden, the total always published."""
    return ProtectedLine(
        cells={key: primary(count) for key, count in counts.items()}, total=sum(counts.values())
    )


@pytest.mark.parametrize(
    "counts",
    [
        {"48001": 3, "48002": 12},  # hidden alone: 15 − 12
        {"48001": 4, "48002": 4, "48003": 10},  # two hidden, but 8 = 4 + 4 only
        {"48001": 1, "48002": 1, "48003": 1, "48004": 1, "48005": 0},  # total 4 over 4 communes
    ],
)
def test_the_audit_catches_what_a_naive_rule_gives_away(counts):
    """The reader's audit has teeth: hiding only the counts from 1 to 4 lets a reader who knows
    no more than « < 5 » = 0 to 4 recompute them."""
    with pytest.raises(AssertionError):
        check(counts, naive(counts))
    check(counts, protect_line(counts, identity))


def test_counts_from_one_to_four_are_hidden_and_zero_is_published():
    assert [primary(n) for n in range(7)] == [0, SMALL, SMALL, SMALL, SMALL, 5, 6]
    with pytest.raises(ValueError, match="négatif"):
        primary(-1)


def test_nothing_small_nothing_hidden():
    line = protect_line({"48001": 0, "48002": 7, "48003": 12}, identity)
    assert line == ProtectedLine(cells={"48001": 0, "48002": 7, "48003": 12}, total=19)


def test_a_small_count_hides_one_zero_beside_it():
    line = protect_line({"48001": 0, "48002": 3, "48003": 12, "48004": 0}, identity)
    # the zero of the smallest rank (here the code itself) is hidden, the other stays 0
    assert line.cells == {"48001": SMALL, "48002": SMALL, "48003": 12, "48004": 0}
    assert line.total == 15


def test_several_small_counts_hide_one_zero_only():
    line = protect_line({"48001": 2, "48002": 4, "48003": 0, "48004": 0, "48005": 9}, identity)
    assert line.cells == {"48001": SMALL, "48002": SMALL, "48003": SMALL, "48004": 0, "48005": 9}
    assert line.total == 15


def test_without_any_zero_the_total_is_withheld():
    line = protect_line({"48001": 2, "48002": 7}, identity)
    assert line == ProtectedLine(cells={"48001": SMALL, "48002": 7}, total=WITHHELD)


def test_a_total_under_five_is_published_without_its_breakdown():
    line = protect_line({"48001": 1, "48002": 0, "48003": 2}, identity)
    assert line == ProtectedLine(
        cells=dict.fromkeys(["48001", "48002", "48003"], WITHHELD), total=SMALL
    )


def test_an_empty_line_is_all_zeros():
    assert protect_line({"48001": 0, "48002": 0}, identity).total == 0


def test_the_zero_chosen_depends_on_the_secret_and_stays_the_same():
    counts = {f"480{n:02d}": 0 for n in range(1, 30)} | {"48095": 2, "48061": 30}
    chosen = {
        salt: [
            k
            for k, v in protect_line(counts, keyed_rank(salt, "x")).cells.items()
            if v == SMALL and counts[k] == 0
        ]
        for salt in (b"un", b"deux", b"trois", b"quatre")
    }
    assert all(len(zeros) == 1 for zeros in chosen.values())
    # not the first commune by code whatever the key: the order is not the public one
    assert len({zeros[0] for zeros in chosen.values()}) > 1
    # the same key chooses the same zero each time
    again = protect_line(counts, keyed_rank(b"un", "x"))
    assert again.cells[chosen[b"un"][0]] == SMALL


def test_rows_of_a_programme():
    """``build_rows``: the territory's total for each public, then one row per commune and
    public with something published other than 0."""
    programme = SimpleNamespace(pk=1, name="Pass numérique Lozère", territory_code="48")
    march = datetime.date(2026, 3, 1)
    communes = [
        ("48001", "Albaret-le-Comtal"),
        ("48061", "Florac Trois Rivières"),
        ("48095", "Mende"),
    ]
    counts = {
        PEOPLE: {
            (march, "48095", "rsa"): 6,
            (march, "48061", "rsa"): 2,
            (march, "48095", "senior"): 3,
        },
        PASSES: {(march, "48095", "rsa"): 25},
    }
    rows = build_rows(programme, [march], communes, counts, SALT)
    territory = {row.public: (row.people, row.passes) for row in rows if row.level == TERRITORY}
    assert territory == {
        **dict.fromkeys(PUBLIC_CODES, (0, 0)),
        "rsa": (8, 25),
        "senior": (SMALL, 0),
    }
    by_commune = {
        (row.geo_code, row.public): (row.people, row.passes)
        for row in rows
        if row.level == COMMUNE
    }
    # rsa: Mende 6 published, Florac 2 hidden with the only zero (Albaret); senior: total 3 < 5,
    # no breakdown, and Mende's senior row would only hold « secret »: no row.
    assert by_commune == {
        ("48001", "rsa"): (SMALL, 0),
        ("48061", "rsa"): (SMALL, 0),
        ("48095", "rsa"): (6, 25),
    }
    assert [row.level for row in rows[: len(PUBLIC_CODES)]] == [TERRITORY] * len(PUBLIC_CODES)


def test_a_row_shows_secret_for_a_line_without_breakdown():
    programme = SimpleNamespace(pk=1, name="P", territory_code="48")
    march = datetime.date(2026, 3, 1)
    communes = [("48001", "A"), ("48002", "B")]
    counts = {PEOPLE: {(march, "48001", "rsa"): 2}, PASSES: {(march, "48001", "rsa"): 9}}
    rows = build_rows(programme, [march], communes, counts, SALT)
    [row] = [r for r in rows if r.level == COMMUNE]
    assert (row.geo_code, row.people, row.passes) == ("48001", WITHHELD, 9)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 1, 31), []),
        (datetime.date(2026, 2, 1), ["2026-01"]),
        (datetime.date(2026, 4, 15), ["2026-01", "2026-02", "2026-03"]),
        (datetime.date(2031, 1, 1), None),  # capped at the programme's end
    ],
)
def test_published_months_are_the_complete_ones(today, expected):
    programme = SimpleNamespace(
        starts_on=datetime.date(2026, 1, 12), ends_on=datetime.date(2028, 12, 31)
    )
    months = [f"{m:%Y-%m}" for m in published_months(programme, today)]
    if expected is None:
        assert (months[0], months[-1], len(months)) == ("2026-01", "2028-12", 36)
    else:
        assert months == expected
