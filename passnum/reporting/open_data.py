"""Open data: the programme's activity by month × commune × public, under statistical secrecy.

Published at ``/donnees-ouvertes/`` and ``/donnees-ouvertes/activite.csv`` (in French for the
readers: docs/donnees-ouvertes.md). Two measures, per programme, per complete month:

- ``personnes_chequier``: people who received a checkbook that month (the checkbook's issue
  date), counted once per month even with two checkbooks;
- ``pass_utilises``: passes used that month: live redemptions (not undone) of passes now
  redeemed or reimbursed, by the date of their session.

A person is placed in the commune of residence recorded today, and under each public of the
referral that led to the checkbook (``hors_public_prioritaire`` without any): a person with
two publics counts in both, so the publics of a commune do not add up to a number of people.

Statistical secrecy (``protect_line``). One *line* is one programme × month × public ×
measure: its commune cells and their total over the territory, the only sum published (a
commune's total over the publics would count people twice; no total over months is
published). Each commune cell belongs to exactly one line, so lines are independent.

1. A line whose total is from 1 to 4 shows its total as « < 5 » and no breakdown: its commune
   cells are « secret » (how many communes hold the 1 to 4 people would bound the total).
2. Otherwise every commune count from 1 to 4 is shown as « < 5 », and, if there is one, one
   commune cell worth 0 is hidden too (« < 5 », which is true of 0), chosen in an order kept
   secret (a keyed hash of the line and the commune): the reader cannot tell which hidden cell
   is the zero, so no hidden cell is the only unknown of the total's equation and none can be
   recomputed. A line without any zero cell has its total withheld (« secret »): no equation
   is published for it.

« < 5 » thus always means 0 to 4, « secret » any value. Zero needs no protection of its own
(it reveals no one) and is published as 0, except the one zero hidden per line. A cell that is
« secret » never creates a row (a commune has a row when one of its published cells is not 0).
``tests/reporting/test_open_data.py`` checks with Hypothesis, by brute force over every value a
reader who knows this rule could give the hidden cells, that none is determined.

The data is computed per request in four queries (programmes, checkbooks, redemptions,
communes), whatever the volume.
"""

import datetime
import functools
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from passnum.passes.enums import CONSUMED
from passnum.passes.models import Checkbook
from passnum.programmes.models import Programme
from passnum.redemptions.models import Redemption
from passnum.referential.enums import Public
from passnum.territories.models import Commune

from .indicators import OUTSIDE_PRIORITY
from .selectors import reporting_database

THRESHOLD = 5
SMALL = "< 5"  # a count from 1 to 4, or the zero hidden beside it
WITHHELD = "secret"  # not published: a total that would give away a hidden cell, or the
# breakdown of a total under 5
PUBLIC_CODES = (*Public.values, OUTSIDE_PRIORITY)
PUBLIC_LABELS = {**dict(Public.choices), OUTSIDE_PRIORITY: "Hors public prioritaire"}
PEOPLE = "personnes_chequier"
PASSES = "pass_utilises"
MEASURES = (PEOPLE, PASSES)
COMMUNE = "commune"
TERRITORY = "departement"
TERRITORY_NAME = "Ensemble du département"

Shown = int | str
K = TypeVar("K", bound=Hashable)


# --- The rule, over plain tables ---------------------------------------------------------


@dataclass(frozen=True)
class ProtectedLine:
    """One line as published: each commune cell and the total, a count or a marker."""

    cells: dict
    total: Shown


def primary(count: int) -> Shown:
    """A count as published before any secondary secrecy: 1 to 4 become « < 5 »."""
    if count < 0:
        raise ValueError("Un comptage ne peut pas être négatif.")
    return SMALL if 0 < count < THRESHOLD else count


def protect_line(counts: Mapping[K, int], rank: Callable[[K], Any]) -> ProtectedLine:
    """The published form of one line.

    ``counts``: every commune cell of the line, zeros included (every commune of the
    territory); ``rank``: the secret order in which a zero is chosen (smallest first).
    """
    total = sum(counts.values())
    if 0 < total < THRESHOLD:
        # The number of communes holding the 1 to 4 people would bound the total: the
        # breakdown is not published at all.
        return ProtectedLine(cells=dict.fromkeys(counts, WITHHELD), total=SMALL)
    cells = {key: primary(count) for key, count in counts.items()}
    if SMALL in cells.values():
        zeros = [key for key, count in counts.items() if count == 0]
        if zeros:
            cells[min(zeros, key=rank)] = SMALL
        else:
            total = WITHHELD
    return ProtectedLine(cells=cells, total=total)


def keyed_rank(salt: bytes, *line: object) -> Callable[[str], int]:
    """The secret order of the communes of one line, stable from one computation to the next
    (the same zero stays hidden): a keyed hash of the commune's INSEE code mixed with a keyed
    hash of the line, so that each line has its own order."""
    line_hash = _keyed_int(salt, "|".join(str(part) for part in line))

    def rank(insee_code: str) -> int:
        return _keyed_int(salt, insee_code) ^ line_hash

    return rank


@functools.lru_cache(maxsize=4096)
def _keyed_int(salt: bytes, text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), key=salt, digest_size=16).digest())


def open_data_salt() -> bytes:
    """The key of the secret order, derived from the codes key (which is never rotated:
    another order would hide other zeros, and comparing two versions would show the
    primary cells)."""
    return hmac.new(
        settings.PASSNUM_CODES_KEY.encode(), b"passnum:donnees-ouvertes", hashlib.sha256
    ).digest()


# --- The published table -------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the CSV."""

    programme: str
    month: datetime.date  # first day of the month
    level: str  # COMMUNE or TERRITORY
    geo_code: str  # INSEE code of the commune, or the department's code
    geo_name: str
    public: str
    people: Shown
    passes: Shown

    @property
    def public_label(self) -> str:
        return PUBLIC_LABELS[self.public]

    def values(self) -> dict[str, Shown]:
        return {PEOPLE: self.people, PASSES: self.passes}


@dataclass(frozen=True)
class ProgrammeOpenData:
    programme: Programme
    months: list[datetime.date]  # published months, oldest first
    rows: list[Row] = field(default_factory=list)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def published_months(programme, today: datetime.date) -> list[datetime.date]:
    """The programme's complete months: from its first month to the last month that ended
    before ``today`` (and no later than the programme's end)."""
    last = min(
        month_start(programme.ends_on),
        month_start(month_start(today) - datetime.timedelta(days=1)),
    )
    months, month = [], month_start(programme.starts_on)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def build_rows(
    programme,
    months: Iterable[datetime.date],
    communes: Iterable[tuple[str, str]],
    counts: Mapping[str, Mapping[tuple, int]],
    salt: bytes,
) -> list[Row]:
    """The protected rows of one programme.

    ``communes``: (INSEE code, name) of every commune of the territory; ``counts``: per measure,
    (month, INSEE code, public) → count (missing: 0).
    """
    names = dict(communes)
    # Per line, its cells other than 0: a line of zeros is published as zeros, no rule needed.
    nonzero: dict[tuple, dict[str, int]] = defaultdict(dict)
    for measure in MEASURES:
        for (month, code, public), count in counts[measure].items():
            if count:
                nonzero[month, public, measure][code] = count
    rows = []
    for month in months:
        shown: dict[tuple[str, str], dict[str, Shown]] = defaultdict(dict)
        totals: dict[str, dict[str, Shown]] = defaultdict(dict)
        withheld: set[tuple[str, str]] = set()  # (public, measure) lines without breakdown
        for public in PUBLIC_CODES:
            for measure in MEASURES:
                cells = nonzero.get((month, public, measure))
                if not cells:
                    totals[public][measure] = 0
                    continue
                line = dict.fromkeys(names, 0) | cells
                protected = protect_line(
                    line, keyed_rank(salt, programme.pk, f"{month:%Y-%m}", public, measure)
                )
                totals[public][measure] = protected.total
                if protected.total == SMALL:
                    withheld.add((public, measure))
                    continue
                for code, value in protected.cells.items():
                    if value != 0:
                        shown[code, public][measure] = value
        for public in PUBLIC_CODES:
            rows.append(
                Row(
                    programme=programme.name,
                    month=month,
                    level=TERRITORY,
                    geo_code=programme.territory_code,
                    geo_name=TERRITORY_NAME,
                    public=public,
                    people=totals[public][PEOPLE],
                    passes=totals[public][PASSES],
                )
            )
        public_order = {code: index for index, code in enumerate(PUBLIC_CODES)}
        for code, public in sorted(shown, key=lambda key: (key[0], public_order[key[1]])):
            values = {
                measure: shown[code, public].get(
                    measure, WITHHELD if (public, measure) in withheld else 0
                )
                for measure in MEASURES
            }
            rows.append(
                Row(
                    programme=programme.name,
                    month=month,
                    level=COMMUNE,
                    geo_code=code,
                    geo_name=names[code],
                    public=public,
                    people=values[PEOPLE],
                    passes=values[PASSES],
                )
            )
    return rows


# --- The queries -----------------------------------------------------------------------------


def publics_of(codes) -> set[str]:
    """The publics a person counts under: those of the referral, or « hors public
    prioritaire » (unknown codes are ignored)."""
    found = {code for code in codes or () if code in Public.values}
    return found or {OUTSIDE_PRIORITY}


def _people(programme_ids, before, using) -> dict[int, dict[tuple, int]]:
    """Per programme, (month, commune id, public) → people who received a checkbook."""
    rows = (
        Checkbook.objects.using(using)
        .filter(programme__in=programme_ids, issued_on__lt=before)
        .annotate(month=TruncMonth("issued_on"))
        .order_by()
        .values(
            "programme",
            "month",
            "beneficiary",
            "beneficiary__commune",
            "prescription__referral__publics",
        )
        .annotate(checkbooks=Count("pk"))
    )
    people: dict[tuple, set] = defaultdict(set)
    for row in rows:
        for public in publics_of(row["prescription__referral__publics"]):
            key = (row["programme"], _as_date(row["month"]), row["beneficiary__commune"], public)
            people[key].add(row["beneficiary"])
    found: dict[int, dict[tuple, int]] = defaultdict(dict)
    for (programme_id, *key), persons in people.items():
        found[programme_id][tuple(key)] = len(persons)
    return found


def _passes(programme_ids, before, using) -> dict[int, dict[tuple, int]]:
    """Per programme, (month, commune id, public) → passes used (by session date)."""
    rows = (
        Redemption.objects.using(using)
        .filter(
            programme__in=programme_ids,
            undone_at__isnull=True,
            pass_obj__status__in=CONSUMED,
            session__date__lt=before,
        )
        .annotate(month=TruncMonth("session__date"))
        .order_by()
        .values(
            "programme",
            "month",
            "pass_obj__checkbook__beneficiary__commune",
            "pass_obj__checkbook__prescription__referral__publics",
        )
        .annotate(passes=Count("pk"))
    )
    found: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        commune = row["pass_obj__checkbook__beneficiary__commune"]
        for public in publics_of(row["pass_obj__checkbook__prescription__referral__publics"]):
            found[row["programme"]][_as_date(row["month"]), commune, public] += row["passes"]
    return found


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def open_data(*, today=None, using=None) -> list[ProgrammeOpenData]:
    """Every programme's published rows (programmes with no complete month are left out).

    Four queries whatever the volume: programmes, checkbooks, redemptions, communes."""
    using = using or reporting_database()
    today = today or timezone.localdate()
    before = month_start(today)
    programmes = [
        (programme, published_months(programme, today))
        for programme in Programme.objects.using(using).order_by(
            "territory_code", "starts_on", "pk"
        )
    ]
    programmes = [(programme, months) for programme, months in programmes if months]
    if not programmes:
        return []
    ids = [programme.pk for programme, _ in programmes]
    people = _people(ids, before, using)
    passes = _passes(ids, before, using)
    seen = {
        commune_id
        for figures in (people, passes)
        for per_programme in figures.values()
        for (_, commune_id, _) in per_programme
    }
    communes = list(
        Commune.objects.using(using)
        .filter(Q(department_code__in={p.territory_code for p, _ in programmes}) | Q(pk__in=seen))
        .order_by("insee_code")
        .values_list("pk", "insee_code", "name", "department_code")
    )
    code_of = {pk: code for pk, code, _, _ in communes}
    salt = open_data_salt()
    published = []
    for programme, months in programmes:
        own = {
            measure: {
                (month, code_of[commune_id], public): count
                for (month, commune_id, public), count in figures.get(programme.pk, {}).items()
                if commune_id in code_of
            }
            for measure, figures in ((PEOPLE, people), (PASSES, passes))
        }
        used = {code for figures in own.values() for (_, code, _) in figures}
        territory = [
            (code, name)
            for _, code, name, department in communes
            if department == programme.territory_code or code in used
        ]
        published.append(
            ProgrammeOpenData(
                programme=programme,
                months=months,
                rows=build_rows(programme, months, territory, own, salt),
            )
        )
    return published
