"""The programme's indicators, computed in this one place from the ledger.

Everything the dashboard, ``GET /api/v1/stats``, the exports' summaries and the State report
show comes from ``indicators_for``. Definitions (docs/pilotage.md says them in French):

- **Snapshot** (whatever the period): the budget (``programmes.budget``) and each funder's
  share of what was consumed, read from the whole ledger; the date the available budget runs
  out if prescriptions go on at the pace of the last ``PACE_DAYS`` days.
- **Cohort** of the period: the checkbooks *prescribed* in the period (their ``issued_on``),
  narrowed by the filters (public, commune of the person, provider that redeemed one of its
  passes). The funnel counts the cohort's passes by status, plus the passes in stock; with no
  period and no filter it is the ledger itself. The usage rate, the checkbooks prescribed /
  started / finished, the median days to first use, the PIC share and the counts by public, need
  and commune are computed on the cohort.
- **Activity** of the period: the passes *used* in the period (live redemptions of redeemed or
  reimbursed passes, by the session's date), by provider, path, commune of the person and month;
  whatever the month their checkbook was prescribed. Each funder's share of their value.
- **Stock** of the period: the passes that entered the ledger in the period (generated or
  imported, by their creation date; replacements of lost passes left out), whatever the filters.
- **Engineering**: the share, what its expenses add up to (all of them), and those of the period
  (by their date), whatever the filters.

A fixed number of queries whatever the size of the programme (aggregations in the database).
"""

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from passnum.organisations.permissions import Capability, ensure_can
from passnum.passes.enums import CONSUMED, PassSource, PassStatus
from passnum.passes.models import Checkbook, Pass
from passnum.passes.selectors import budget_for, ledger_of
from passnum.programmes.budget import Budget, split_between_funders
from passnum.programmes.models import EngineeringExpense, Funder
from passnum.programmes.selectors import FunderShare, programme_overview
from passnum.redemptions.models import Redemption
from passnum.referential.enums import PIC_PUBLICS, Public, Service
from passnum.territories.models import Commune

from .periods import EVERYTHING, Period
from .reminders import ReminderEffect, reminder_effect
from .selectors import (
    EVER_ASSIGNED,
    RATE_DIGITS,
    reporting_database,
    self_referred_redemptions,
    usage_rate,
)

# The national call for projects asked that at least half of the people reached come from the
# PIC publics.
PIC_TARGET = 0.5
# The pace of prescriptions that projects the budget's end: the last 90 days.
PACE_DAYS = 90
# A burst: one provider declaring, on one day, at least this many passes of at least this many
# checkbooks (passes collected from people and typed in at once look like this).
BURST_MIN_PASSES = 15
BURST_MIN_CHECKBOOKS = 4
# « hors public prioritaire »: a person with none of the priority publics.
OUTSIDE_PRIORITY = "hors_public_prioritaire"
NO_PATH = "sans_parcours"


@dataclass(frozen=True)
class Filters:
    """What the dashboard narrows the figures to; ``None``: everything."""

    public: str | None = None  # a Public code, or OUTSIDE_PRIORITY
    commune: str | None = None  # INSEE code of the person's commune
    provider_id: int | None = None  # the organisation that redeemed

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.public, self.commune, self.provider_id))


NO_FILTERS = Filters()


@dataclass(frozen=True)
class CheckbookCounts:
    prescribed: int
    started: int  # at least one pass used
    finished: int  # every pass (but cancelled ones) used


@dataclass(frozen=True)
class Activity:
    """Passes used, and what they are worth."""

    passes: int = 0
    cents: int = 0

    def __add__(self, other):
        return Activity(self.passes + other.passes, self.cents + other.cents)


@dataclass(frozen=True)
class ProviderFigures:
    organisation_id: int
    name: str
    used: Activity


@dataclass(frozen=True)
class PathFigures:
    path_id: int | None
    name: str
    used: Activity


@dataclass(frozen=True)
class CommuneFigures:
    insee_code: str
    name: str
    epci_code: str
    latitude: float | None
    longitude: float | None
    prescribed: int  # checkbooks of the cohort held by people of the commune
    used: Activity  # passes used in the period by people of the commune
    people: int = 0  # distinct people of the commune holding a checkbook of the cohort


@dataclass(frozen=True)
class EpciFigures:
    code: str
    name: str
    prescribed: int
    used: Activity
    people: int = 0


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    prescribed: int  # checkbooks prescribed that month
    used: Activity  # passes used that month


@dataclass(frozen=True)
class YearFigures:
    """One year of the programme (the first starts on its first day)."""

    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    prescribed: int
    used: Activity


@dataclass(frozen=True)
class StockFigures:
    """Passes that entered the ledger in the period: generated by passnum or imported from an
    external operator (replacements of lost passes are left out: each takes the place its
    cancelled pass freed)."""

    generated: int = 0
    imported: int = 0
    cents: int = 0

    @property
    def passes(self) -> int:
        return self.generated + self.imported


@dataclass(frozen=True)
class FunderUse:
    funder: Funder
    of_used_cents: int  # its share of the value of the passes used in the period


@dataclass(frozen=True)
class EngineeringFigures:
    share_cents: int  # the programme's engineering share
    spent_cents: int  # every engineering expense recorded, whatever its date
    spent_in_period_cents: int  # the expenses dated in the period
    expenses_in_period: int

    @property
    def left_cents(self) -> int:
        return self.share_cents - self.spent_cents


@dataclass(frozen=True)
class Burst:
    organisation_id: int
    name: str
    day: datetime.date
    passes: int
    checkbooks: int


@dataclass(frozen=True)
class FunnelStep:
    code: str
    label: str
    passes: int


# The funnel's steps: the statuses each one adds up, in the order a pass goes through them
# (expired and cancelled passes left the way: they close the list).
FUNNEL = [
    ("in_stock", "En stock, prêts à être prescrits", (PassStatus.AVAILABLE,)),
    ("assigned", "Attribués (hors annulés)", EVER_ASSIGNED),
    ("used", "Utilisés (encaissés ou remboursés)", CONSUMED),
    ("reimbursed", "Remboursés aux structures", (PassStatus.REIMBURSED,)),
    ("expired", "Expirés sans avoir été utilisés", (PassStatus.EXPIRED,)),
    ("cancelled", "Annulés (perdus ou volés, remplacés)", (PassStatus.CANCELLED,)),
]


@dataclass(frozen=True)
class Indicators:
    programme_id: int
    period: Period
    filters: Filters
    today: datetime.date
    budget: Budget
    funders: list[FunderShare]
    budget_runs_out_on: datetime.date | None  # None: no prescription lately
    passes: dict[str, int]  # the funnel: cohort passes per status, and the stock
    usage_rate: float
    checkbooks: CheckbookCounts
    people: int  # distinct people holding a checkbook of the cohort
    median_days_to_first_use: float | None
    pic_checkbooks: int
    by_public: dict[str, int]  # cohort checkbooks per public code (+ OUTSIDE_PRIORITY)
    by_service: dict[str, int]  # cohort checkbooks per need
    used: Activity  # passes used in the period
    by_provider: list[ProviderFigures]
    by_path: list[PathFigures]
    by_commune: list[CommuneFigures]
    by_epci: list[EpciFigures]
    by_month: list[MonthFigures]
    by_year: list[YearFigures]
    # Dormant checkbooks of the period: usage resumed with and without a reminder (the whole
    # programme's, the filters do not narrow it: reporting/reminders.py).
    reminders: ReminderEffect
    ledger_passes: dict[str, int]  # snapshot: every pass of the programme per status
    acquired: StockFigures  # passes that entered the ledger in the period
    prescribed_passes: Activity  # the cohort's passes as prescribed (replacements left out)
    people_by_public: dict[str, int]  # distinct people of the cohort per public code
    funders_used: list[FunderUse]  # each funder's share of ``used``
    engineering: EngineeringFigures

    @property
    def pic_share(self) -> float:
        """Checkbooks of the cohort held by PIC publics over all of them, 0..1."""
        prescribed = self.checkbooks.prescribed
        return round(self.pic_checkbooks / prescribed, RATE_DIGITS) if prescribed else 0.0

    @property
    def pic_target_met(self) -> bool:
        return self.pic_share >= PIC_TARGET

    @property
    def funnel(self) -> list[FunnelStep]:
        """The passes from the stock to their reimbursement: the stock (the whole ledger's),
        then the cohort's passes ever given to a person (cancelled ones left out: their
        replacement counts), used, reimbursed; and those that left the way, expired or
        cancelled."""
        return [
            FunnelStep(code, label, sum(self.passes[s] for s in statuses))
            for code, label, statuses in FUNNEL
        ]


def _contains_code(lookup: str, code: str) -> Q:
    # JSON lists of codes: the quoted code matched in the JSON text works on SQLite and
    # PostgreSQL alike (« jeune » is not found in « jeune_decrocheur »).
    return Q(**{f"{lookup}__icontains": f'"{code}"'})


def _public_filter(prefix: str, public: str) -> Q:
    lookup = f"{prefix}prescription__referral__publics"
    if public == OUTSIDE_PRIORITY:
        return Q(**{lookup: []})
    return _contains_code(lookup, public)


def _checkbook_filter(filters: Filters, prefix: str = "") -> Q:
    """Narrow checkbooks (``prefix`` leads from the queried model to the checkbook)."""
    q = Q()
    if filters.public:
        q &= _public_filter(prefix, filters.public)
    if filters.commune:
        q &= Q(**{f"{prefix}beneficiary__commune__insee_code": filters.commune})
    return q


def _live_use(prefix: str = "") -> Q:
    """A live redemption of a used pass (``prefix`` leads from the model to the redemption)."""
    return Q(**{f"{prefix}undone_at__isnull": True, f"{prefix}pass_obj__status__in": CONSUMED})


def programme_years(programme) -> list[tuple[int, datetime.date, datetime.date]]:
    """The programme's years: (number, first day, last day), the last one cut at its end."""
    years, number, start = [], 1, programme.starts_on
    while start <= programme.ends_on:
        try:
            next_start = start.replace(year=start.year + 1)
        except ValueError:  # 29 February
            next_start = start.replace(year=start.year + 1, day=28)
        years.append(
            (number, start, min(next_start - datetime.timedelta(days=1), programme.ends_on))
        )
        number, start = number + 1, next_start
    return years


def months_between(start: datetime.date, end: datetime.date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_key(value) -> str:
    return value.strftime("%Y-%m")


def indicators_for_programme(
    programme,
    period: Period = EVERYTHING,
    filters: Filters = NO_FILTERS,
    *,
    today: datetime.date | None = None,
    using: str | None = None,
) -> Indicators:
    """Every indicator of the programme for the period, read from ``using`` (the reporting
    database by default)."""
    using = using or reporting_database()
    today = today or timezone.localdate()

    # Snapshot: the budget and the funders' shares of it.
    ledger = ledger_of(programme, using=using)
    budget = budget_for(programme, ledger)
    overview = programme_overview(programme, budget, using=using)
    pace_since = today - datetime.timedelta(days=PACE_DAYS - 1)
    recent_cents = (
        Pass.objects.using(using)
        .filter(
            programme=programme,
            checkbook__issued_on__gte=pace_since,
            checkbook__issued_on__lte=today,
        )
        .exclude(status=PassStatus.CANCELLED)
        .aggregate(total=Sum("value_cents"))["total"]
        or 0
    )
    runs_out_on = None
    if recent_cents:
        days_left = budget.available_cents * PACE_DAYS // recent_cents
        runs_out_on = today + datetime.timedelta(days=max(days_left, 0))

    # The cohort: checkbooks prescribed in the period, narrowed by the filters.
    cohort = Checkbook.objects.using(using).filter(
        programme=programme, **period.date_filter("issued_on")
    )
    cohort = cohort.filter(_checkbook_filter(filters))
    if filters.provider_id is not None:
        redeemed_there = Redemption.objects.using(using).filter(
            _live_use(), programme=programme, session__organisation_id=filters.provider_id
        )
        cohort = cohort.filter(pk__in=redeemed_there.values("pass_obj__checkbook"))

    # The stock: passes that entered the ledger in the period.
    born = (
        Pass.objects.using(using)
        .filter(programme=programme, replaces__isnull=True, **period.datetime_filter("created_at"))
        .aggregate(
            generated=Count("pk", filter=Q(source=PassSource.GENERATED)),
            imported=Count("pk", filter=Q(source=PassSource.IMPORTED)),
            cents=Sum("value_cents"),
        )
    )
    acquired = StockFigures(born["generated"], born["imported"], born["cents"] or 0)

    # The engineering share and its expenses.
    dated = period.date_filter("spent_on")
    in_period = Q(**dated) if dated else None
    expenses = (
        EngineeringExpense.objects.using(using)
        .filter(programme=programme)
        .aggregate(
            spent=Sum("amount_cents"),
            spent_in_period=Sum("amount_cents", filter=in_period),
            count=Count("pk", filter=in_period),
        )
    )
    engineering = EngineeringFigures(
        share_cents=programme.engineering_cents,
        spent_cents=expenses["spent"] or 0,
        spent_in_period_cents=expenses["spent_in_period"] or 0,
        expenses_in_period=expenses["count"],
    )

    # Per checkbook of the cohort: its passes per status and those given at prescription
    # (replacements left out), in one query grouped by checkbook; and the day of its first use
    # (one query over the live uses, grouped by checkbook).
    as_prescribed = Q(passes__replaces__isnull=True)
    per_status = {
        f"n_{status}": Count("passes", filter=Q(passes__status=status))
        for status in PassStatus.values
    }
    rows = (
        cohort.order_by()
        .annotate(
            original=Count("passes", filter=as_prescribed),
            original_cents=Sum("passes__value_cents", filter=as_prescribed),
            **per_status,
        )
        .values_list(
            "pk",
            "beneficiary_id",
            "issued_on",
            "prescription__referral__publics",
            "prescription__referral__needs",
            "beneficiary__commune__insee_code",
            "original",
            "original_cents",
            *per_status,
        )
    )
    first_uses = dict(
        Redemption.objects.using(using)
        .filter(_live_use(), programme=programme, pass_obj__checkbook__in=cohort.values("pk"))
        .order_by()
        .values("pass_obj__checkbook")
        .annotate(first=Min("session__date"))
        .values_list("pass_obj__checkbook", "first")
    )
    funnel = dict.fromkeys(PassStatus.values, 0)
    prescribed_passes = Activity()
    prescribed = started = finished = pic = 0
    people = set()
    delays = []
    by_public = Counter()
    people_by_public = defaultdict(set)
    by_service = Counter()
    prescribed_in_commune = Counter()
    people_in_commune = defaultdict(set)
    prescribed_in_month = Counter()
    years = programme_years(programme)
    prescribed_in_year = Counter()
    for checkbook, beneficiary, issued_on, publics, needs, insee, *figures in rows:
        original, original_cents, *counts = figures
        prescribed_passes += Activity(original, original_cents or 0)
        first = first_uses.get(checkbook)
        by_status = dict(zip(PassStatus.values, counts, strict=True))
        for status, count in by_status.items():
            funnel[status] += count
        used = sum(by_status[s] for s in CONSUMED)
        kept = sum(counts) - by_status[PassStatus.CANCELLED]
        prescribed += 1
        people.add(beneficiary)
        started += used > 0
        finished += kept > 0 and used == kept
        if first is not None:
            delays.append((first - issued_on).days)
        publics = publics or []
        pic += bool(PIC_PUBLICS.intersection(publics))
        by_public.update(set(publics) or {OUTSIDE_PRIORITY})
        for code in set(publics) or {OUTSIDE_PRIORITY}:
            people_by_public[code].add(beneficiary)
        by_service.update(set(needs or []))
        prescribed_in_commune[insee] += 1
        people_in_commune[insee].add(beneficiary)
        prescribed_in_month[_month_key(issued_on)] += 1
        for number, start, end in years:
            if start <= issued_on <= end:
                prescribed_in_year[number] += 1

    funnel[PassStatus.AVAILABLE] = ledger.count(PassStatus.AVAILABLE)

    # Activity: passes used in the period, by provider, path, commune and month.
    uses = Redemption.objects.using(using).filter(
        _live_use(),
        programme=programme,
        **period.date_filter("session__date"),
    )
    uses = uses.filter(_checkbook_filter(filters, "pass_obj__checkbook__"))
    if filters.provider_id is not None:
        uses = uses.filter(session__organisation_id=filters.provider_id)
    year_of_use = Case(
        *[When(session__date__range=(start, end), then=Value(n)) for n, start, end in years],
        default=Value(0),
        output_field=IntegerField(),
    )
    grouped = (
        uses.order_by()
        .annotate(month=TruncMonth("session__date"), year=year_of_use)
        .values(
            "session__organisation",
            "session__organisation__name",
            "session__path",
            "session__path__name",
            "pass_obj__checkbook__beneficiary__commune__insee_code",
            "month",
            "year",
        )
        .annotate(n=Count("pk"), cents=Sum("pass_obj__value_cents"))
    )
    providers, paths = {}, {}
    used_by_provider = defaultdict(Activity)
    used_by_path = defaultdict(Activity)
    used_in_year = defaultdict(Activity)
    used_in_commune = defaultdict(Activity)
    used_in_month = defaultdict(Activity)
    total = Activity()
    for row in grouped:
        activity = Activity(row["n"], row["cents"] or 0)
        total += activity
        provider = row["session__organisation"]
        providers[provider] = row["session__organisation__name"]
        used_by_provider[provider] += activity
        path = row["session__path"]
        paths[path] = row["session__path__name"] or "Sans parcours"
        used_by_path[path] += activity
        used_in_commune[row["pass_obj__checkbook__beneficiary__commune__insee_code"]] += activity
        used_in_month[_month_key(row["month"])] += activity
        used_in_year[row["year"]] += activity

    # Communes and their intercommunalities, for names and the map.
    insee_codes = set(prescribed_in_commune) | set(used_in_commune)
    communes = {
        c.insee_code: c
        for c in Commune.objects.using(using)
        .filter(insee_code__in=insee_codes)
        .select_related("epci")
    }
    by_commune = []
    by_epci = {}
    for insee in sorted(
        insee_codes, key=lambda code: communes[code].name if code in communes else code
    ):
        commune = communes.get(insee)
        epci = commune.epci if commune else None
        figures = CommuneFigures(
            insee_code=insee,
            name=commune.name if commune else insee,
            epci_code=epci.code if epci else "",
            latitude=float(commune.latitude) if commune and commune.latitude is not None else None,
            longitude=(
                float(commune.longitude) if commune and commune.longitude is not None else None
            ),
            prescribed=prescribed_in_commune[insee],
            used=used_in_commune[insee],
            people=len(people_in_commune[insee]),
        )
        by_commune.append(figures)
        key = epci.code if epci else ""
        name = epci.name if epci else "Sans intercommunalité connue"
        known = by_epci.get(key, EpciFigures(key, name, 0, Activity()))
        # A person lives in one commune: the people of an EPCI add up.
        by_epci[key] = EpciFigures(
            key,
            name,
            known.prescribed + figures.prescribed,
            known.used + figures.used,
            known.people + figures.people,
        )

    # Months: those of the period within the programme (all of them, even empty).
    first_month = max(period.start or programme.starts_on, programme.starts_on)
    last_month = min(period.end or max(today, programme.starts_on), programme.ends_on)
    months = months_between(first_month, last_month) if first_month <= last_month else []
    extra = (set(prescribed_in_month) | set(used_in_month)) - set(months)
    by_month = [
        MonthFigures(month, prescribed_in_month[month], used_in_month[month])
        for month in sorted(set(months) | extra)
    ]

    return Indicators(
        programme_id=programme.pk,
        period=period,
        filters=filters,
        today=today,
        budget=budget,
        funders=overview.funders,
        budget_runs_out_on=runs_out_on,
        passes=funnel,
        usage_rate=usage_rate(funnel),
        checkbooks=CheckbookCounts(prescribed, started, finished),
        people=len(people),
        median_days_to_first_use=float(statistics.median(delays)) if delays else None,
        pic_checkbooks=pic,
        by_public={code: by_public[code] for code in [*Public.values, OUTSIDE_PRIORITY]},
        by_service={code: by_service[code] for code in Service.values},
        used=total,
        by_provider=sorted(
            (ProviderFigures(pk, providers[pk], used_by_provider[pk]) for pk in providers),
            key=lambda p: (-p.used.passes, p.name),
        ),
        by_path=sorted(
            (PathFigures(pk, paths[pk], used_by_path[pk]) for pk in paths),
            key=lambda p: (-p.used.passes, p.name),
        ),
        by_commune=by_commune,
        by_epci=sorted(by_epci.values(), key=lambda e: (-e.prescribed, e.name)),
        by_month=by_month,
        by_year=[
            YearFigures(number, start, end, prescribed_in_year[number], used_in_year[number])
            for number, start, end in years
        ],
        reminders=reminder_effect(programme, period, using=using, today=today),
        ledger_passes={status: ledger.count(status) for status in PassStatus.values},
        acquired=acquired,
        prescribed_passes=prescribed_passes,
        people_by_public={
            code: len(people_by_public[code]) for code in [*Public.values, OUTSIDE_PRIORITY]
        },
        funders_used=[
            FunderUse(funder, cents)
            for funder, cents in split_between_funders(
                total.cents, [share.funder for share in overview.funders]
            )
        ],
        engineering=engineering,
    )


def bursts_of(programme, period: Period = EVERYTHING, *, using=None) -> list[Burst]:
    """The days a provider declared many passes of many checkbooks at once (one query)."""
    rows = (
        Redemption.objects.using(using or reporting_database())
        .filter(_live_use(), programme=programme, **period.datetime_filter("redeemed_at"))
        .order_by()
        .annotate(day=TruncDate("redeemed_at"))
        .values("session__organisation", "session__organisation__name", "day")
        .annotate(passes=Count("pk"), checkbooks=Count("pass_obj__checkbook", distinct=True))
        .filter(passes__gte=BURST_MIN_PASSES, checkbooks__gte=BURST_MIN_CHECKBOOKS)
    )
    return sorted(
        (
            Burst(
                row["session__organisation"],
                row["session__organisation__name"],
                row["day"],
                row["passes"],
                row["checkbooks"],
            )
            for row in rows
        ),
        key=lambda b: (-b.passes, b.day, b.name),
    )


@dataclass(frozen=True)
class MisuseSignals:
    self_referred: list  # SelfReferredRedemptions, the highest share first
    bursts: list[Burst]


def misuse_signals(actor, period: Period = EVERYTHING, *, using=None) -> MisuseSignals:
    """The misuse signals of the actor's programme: the operator only (two queries)."""
    ensure_can(actor, Capability.VIEW_MISUSE)
    return MisuseSignals(
        self_referred=self_referred_redemptions(actor.programme, using=using),
        bursts=bursts_of(actor.programme, period, using=using),
    )


def indicators_for(
    actor,
    period: Period = EVERYTHING,
    filters: Filters = NO_FILTERS,
    *,
    today: datetime.date | None = None,
    using: str | None = None,
) -> Indicators:
    """The indicators of the actor's programme: the Département, the operator, the funders."""
    ensure_can(actor, Capability.VIEW_STATS)
    return indicators_for_programme(actor.programme, period, filters, today=today, using=using)
