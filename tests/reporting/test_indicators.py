"""Every indicator equals a direct computation on a generated programme (with expired, cancelled,
reimbursed and undone uses), and a second programme never mixes in."""

import random
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest

from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.models import Checkbook, Pass
from passnum.passes.services import generate_passes
from passnum.redemptions.models import Redemption
from passnum.referential.enums import PIC_PUBLICS, Public, Service
from passnum.referrals.services import prescribe
from passnum.reporting.indicators import (
    NO_FILTERS,
    OUTSIDE_PRIORITY,
    Filters,
    indicators_for,
    indicators_for_programme,
    programme_years,
)
from passnum.reporting.periods import Period
from passnum.territories.models import Commune
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
    set_status,
)
from tests.reporting.factories import redeem_directly

Kind = OrganisationKind
TODAY = date(2026, 11, 20)
COMMUNES = [
    ("48095", "Mende"),
    ("48061", "Florac Trois Rivières"),
    ("48080", "Langogne"),
    ("48088", "Marvejols"),
]


def build(programme, seed: int, people: int):
    """``people`` prescriptions over the year, then uses, expiries, cancellations."""
    rng = random.Random(seed)
    communes = [CommuneFactory(insee_code=code, name=name) for code, name in COMMUNES]
    department = MembershipFactory(
        organisation=OrganisationFactory(programme=programme, kind=Kind.DEPARTMENT)
    )
    from passnum.organisations.actor import Actor

    actor = Actor(department)
    providers = [
        OrganisationFactory(programme=programme, kind=Kind.PROVIDER, name=f"Lieu {seed}-{i}")
        for i in range(3)
    ]
    generate_passes(programme, people * programme.passes_per_checkbook)
    for _ in range(people):
        publics = rng.choice(
            [
                [],
                ["rsa"],
                ["jeune_decrocheur"],
                ["demandeur_emploi_peu_qualifie", "rsa"],
                ["senior"],
            ]
        )
        needs = rng.sample(Service.values, rng.randint(1, 2))
        referral = ReferralFactory(
            beneficiary__programme=programme,
            beneficiary__commune=rng.choice(communes),
            publics=publics,
            needs=needs,
        )
        day = date(2026, 1, 5) + timedelta(days=rng.randint(0, 300))
        checkbook = prescribe(actor, referral, today=day).checkbook
        passes = list(checkbook.passes.order_by("serial"))
        used = rng.choice([0, 0, 1, 2, 5])
        if used:
            provider = rng.choice(providers)
            session_day = day + timedelta(days=rng.randint(1, 40))
            status = rng.choice([PassStatus.REDEEMED, PassStatus.REIMBURSED])
            redeem_directly(provider, passes[:used], status=status, day=session_day)
        fate = rng.random()
        rest = passes[used:]
        if rest and fate < 0.2:
            set_status(rest[:1], PassStatus.EXPIRED)
        elif rest and fate < 0.3:
            set_status(rest[:1], PassStatus.CANCELLED)
        elif rest and fate < 0.4:
            # A use undone by its provider: the pass is assigned again, the redemption stays.
            redeem_directly(
                rng.choice(providers), rest[:1], status=PassStatus.ASSIGNED, undone=True
            )
    return providers


def expected(programme, period: Period, filters: Filters = NO_FILTERS):
    """The same figures, computed plainly from the objects."""
    checkbooks = []
    for checkbook in Checkbook.objects.filter(programme=programme).select_related(
        "prescription__referral", "beneficiary__commune"
    ):
        if not period.contains(checkbook.issued_on):
            continue
        publics = checkbook.prescription.referral.publics
        if filters.public and filters.public not in (publics or [OUTSIDE_PRIORITY]):
            continue
        if filters.commune and checkbook.beneficiary.commune.insee_code != filters.commune:
            continue
        checkbooks.append(checkbook)
    ids = {c.pk for c in checkbooks}
    passes = [p for p in Pass.objects.filter(programme=programme) if p.checkbook_id in ids]
    funnel = Counter(p.status for p in passes)
    funnel[PassStatus.AVAILABLE] = Pass.objects.filter(
        programme=programme, status=PassStatus.AVAILABLE
    ).count()
    live_uses = [
        r
        for r in Redemption.objects.filter(programme=programme).select_related(
            "session", "pass_obj__checkbook__beneficiary__commune", "session__organisation"
        )
        if r.undone_at is None and r.pass_obj.status in CONSUMED
    ]
    first_use = {}
    for r in live_uses:
        cb = r.pass_obj.checkbook_id
        first_use[cb] = min(first_use.get(cb, r.session.date), r.session.date)
    delays = [(first_use[c.pk] - c.issued_on).days for c in checkbooks if c.pk in first_use]
    by_passes = {c.pk: [p for p in passes if p.checkbook_id == c.pk] for c in checkbooks}
    in_period = [
        r
        for r in live_uses
        if period.contains(r.session.date)
        and (
            not filters.commune
            or r.pass_obj.checkbook.beneficiary.commune.insee_code == filters.commune
        )
        and (
            not filters.public
            or filters.public
            in (r.pass_obj.checkbook.prescription.referral.publics or [OUTSIDE_PRIORITY])
        )
    ]
    return {
        "funnel": {s: funnel[s] for s in PassStatus.values},
        "prescribed": len(checkbooks),
        "started": sum(any(p.status in CONSUMED for p in by_passes[c.pk]) for c in checkbooks),
        "finished": sum(
            bool(kept := [p for p in by_passes[c.pk] if p.status != PassStatus.CANCELLED])
            and all(p.status in CONSUMED for p in kept)
            for c in checkbooks
        ),
        "people": len({c.beneficiary_id for c in checkbooks}),
        "median": float(statistics.median(delays)) if delays else None,
        "pic": sum(
            bool(PIC_PUBLICS.intersection(c.prescription.referral.publics)) for c in checkbooks
        ),
        "by_public": Counter(
            code
            for c in checkbooks
            for code in (set(c.prescription.referral.publics) or {OUTSIDE_PRIORITY})
        ),
        "by_service": Counter(
            code for c in checkbooks for code in set(c.prescription.referral.needs)
        ),
        "used": len(in_period),
        "used_cents": sum(r.pass_obj.value_cents for r in in_period),
        "by_provider": Counter(r.session.organisation.name for r in in_period),
        "by_commune_used": Counter(
            r.pass_obj.checkbook.beneficiary.commune.insee_code for r in in_period
        ),
        "by_commune_prescribed": Counter(c.beneficiary.commune.insee_code for c in checkbooks),
        "by_month_used": Counter(r.session.date.strftime("%Y-%m") for r in in_period),
        "by_month_prescribed": Counter(c.issued_on.strftime("%Y-%m") for c in checkbooks),
    }


def assert_matches(figures, want):
    assert figures.passes == want["funnel"]
    assert figures.checkbooks.prescribed == want["prescribed"]
    assert figures.checkbooks.started == want["started"]
    assert figures.checkbooks.finished == want["finished"]
    assert figures.people == want["people"]
    assert figures.median_days_to_first_use == want["median"]
    assert figures.pic_checkbooks == want["pic"]
    assert figures.by_public == {
        code: want["by_public"][code] for code in [*Public.values, OUTSIDE_PRIORITY]
    }
    assert figures.by_service == {code: want["by_service"][code] for code in Service.values}
    assert figures.used.passes == want["used"]
    assert figures.used.cents == want["used_cents"]
    assert {p.name: p.used.passes for p in figures.by_provider} == dict(want["by_provider"])
    assert {c.insee_code: c.used.passes for c in figures.by_commune if c.used.passes} == dict(
        want["by_commune_used"]
    )
    assert {c.insee_code: c.prescribed for c in figures.by_commune if c.prescribed} == dict(
        want["by_commune_prescribed"]
    )
    assert {m.month: m.used.passes for m in figures.by_month if m.used.passes} == dict(
        want["by_month_used"]
    )
    assert {m.month: m.prescribed for m in figures.by_month if m.prescribed} == dict(
        want["by_month_prescribed"]
    )
    assert sum(e.prescribed for e in figures.by_epci) == want["prescribed"]
    assert sum(y.used.passes for y in figures.by_year) == want["used"]


@pytest.fixture
def two_programmes(db):
    lozere = ProgrammeFactory(name="Lozère")
    other = ProgrammeFactory(name="Autre territoire")
    build(lozere, seed=1, people=40)
    build(other, seed=2, people=15)
    return lozere, other


PERIODS = [
    Period(),
    Period(date(2026, 3, 1), date(2026, 6, 30)),
    Period(date(2026, 9, 1), None),
    Period(None, date(2026, 2, 15)),
]


@pytest.mark.parametrize("period", PERIODS)
def test_every_indicator_equals_a_direct_computation(two_programmes, period):
    lozere, other = two_programmes
    for programme in (lozere, other):
        figures = indicators_for_programme(programme, period, today=TODAY)
        assert_matches(figures, expected(programme, period))


@pytest.mark.parametrize(
    "filters",
    [Filters(public="rsa"), Filters(public=OUTSIDE_PRIORITY), Filters(commune="48061")],
)
def test_filters_narrow_the_cohort_and_the_activity(two_programmes, filters):
    lozere, _ = two_programmes
    period = Period(date(2026, 2, 1), date(2026, 10, 31))
    figures = indicators_for_programme(lozere, period, filters, today=TODAY)
    assert_matches(figures, expected(lozere, period, filters))


def test_the_provider_filter_keeps_its_uses_and_the_checkbooks_it_served(two_programmes):
    lozere, _ = two_programmes
    everything = indicators_for_programme(lozere, today=TODAY)
    provider = everything.by_provider[0]
    figures = indicators_for_programme(
        lozere, filters=Filters(provider_id=provider.organisation_id), today=TODAY
    )
    assert [p.organisation_id for p in figures.by_provider] == [provider.organisation_id]
    assert figures.used == provider.used
    served = {
        r.pass_obj.checkbook_id
        for r in Redemption.objects.filter(
            session__organisation_id=provider.organisation_id,
            undone_at__isnull=True,
            pass_obj__status__in=CONSUMED,
        ).select_related("pass_obj")
    }
    assert figures.checkbooks.prescribed == len(served)


@pytest.mark.parametrize("period", PERIODS[:2])
def test_the_funnel_follows_the_passes_from_the_stock_to_their_reimbursement(
    two_programmes, period
):
    lozere, _ = two_programmes
    figures = indicators_for_programme(lozere, period, today=TODAY)
    in_cohort = {
        c.pk for c in Checkbook.objects.filter(programme=lozere) if period.contains(c.issued_on)
    }
    passes = [p for p in Pass.objects.filter(programme=lozere) if p.checkbook_id in in_cohort]
    steps = {step.code: step.passes for step in figures.funnel}
    assert steps == {
        "in_stock": Pass.objects.filter(programme=lozere, status=PassStatus.AVAILABLE).count(),
        "assigned": sum(p.status != PassStatus.CANCELLED for p in passes),
        "used": sum(p.status in CONSUMED for p in passes),
        "reimbursed": sum(p.status == PassStatus.REIMBURSED for p in passes),
        "expired": sum(p.status == PassStatus.EXPIRED for p in passes),
        "cancelled": sum(p.status == PassStatus.CANCELLED for p in passes),
    }
    assert list(steps) == ["in_stock", "assigned", "used", "reimbursed", "expired", "cancelled"]
    assert figures.usage_rate == round(steps["used"] / steps["assigned"], 4)
    assert all(step.label for step in figures.funnel)


def test_budget_and_funders_read_the_whole_ledger(two_programmes):
    lozere, _ = two_programmes
    figures = indicators_for_programme(lozere, Period(date(2026, 6, 1), None), today=TODAY)
    consumed = sum(
        p.value_cents for p in Pass.objects.filter(programme=lozere, status__in=CONSUMED)
    )
    assert figures.budget.consumed_cents == consumed
    assert sum(f.of_consumed_cents for f in figures.funders) <= consumed


def test_the_budget_runs_out_at_the_pace_of_the_last_90_days(db):
    programme = ProgrammeFactory()
    build(programme, seed=3, people=10)
    figures = indicators_for_programme(programme, today=TODAY)
    since = TODAY - timedelta(days=89)
    recent = sum(
        p.value_cents
        for p in Pass.objects.filter(
            programme=programme, checkbook__issued_on__range=(since, TODAY)
        ).exclude(status=PassStatus.CANCELLED)
    )
    assert recent > 0
    days = figures.budget.available_cents * 90 // recent
    assert figures.budget_runs_out_on == TODAY + timedelta(days=days)
    quiet = indicators_for_programme(programme, today=date(2028, 6, 1))
    assert quiet.budget_runs_out_on is None


def test_the_effect_of_reminders_is_that_of_the_period(two_programmes):
    from passnum.reporting.reminders import reminder_effect

    lozere, _ = two_programmes
    period = Period(date(2026, 2, 1), date(2026, 9, 30))
    figures = indicators_for_programme(lozere, period, today=TODAY)
    assert figures.reminders == reminder_effect(lozere, period, today=TODAY)
    assert figures.reminders.not_reminded > 0


def test_pic_share_against_the_target(db):
    programme = ProgrammeFactory()
    build(programme, seed=4, people=12)
    figures = indicators_for_programme(programme, today=TODAY)
    assert figures.pic_share == round(figures.pic_checkbooks / figures.checkbooks.prescribed, 4)
    assert figures.pic_target_met == (figures.pic_share >= 0.5)


def test_years_of_the_programme():
    programme = ProgrammeFactory.build(starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31))
    assert programme_years(programme) == [
        (1, date(2026, 1, 1), date(2026, 12, 31)),
        (2, date(2027, 1, 1), date(2027, 12, 31)),
        (3, date(2028, 1, 1), date(2028, 12, 31)),
    ]
    short = ProgrammeFactory.build(starts_on=date(2026, 4, 1), ends_on=date(2027, 6, 30))
    assert programme_years(short)[-1] == (2, date(2027, 4, 1), date(2027, 6, 30))


def test_every_month_of_the_period_is_listed(db):
    programme = ProgrammeFactory()
    figures = indicators_for_programme(
        programme, Period(date(2026, 1, 1), date(2026, 4, 30)), today=TODAY
    )
    assert [m.month for m in figures.by_month] == ["2026-01", "2026-02", "2026-03", "2026-04"]


def test_query_count_does_not_grow_with_the_data(db, django_assert_num_queries):
    small = ProgrammeFactory(name="Petit")
    build(small, seed=5, people=3)
    large = ProgrammeFactory(name="Grand")
    build(large, seed=6, people=30)
    counts = []
    for programme in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            indicators_for_programme(programme, Period(date(2026, 1, 1), None), today=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14


def test_only_the_department_the_operator_and_funders_see_them(db, make_actor, programme):
    from passnum.common.exceptions import NotAllowed

    for kind in (Kind.DEPARTMENT, Kind.OPERATOR, Kind.FUNDER):
        assert indicators_for(make_actor(kind)).programme_id == programme.pk
    for kind in (Kind.REFERRER, Kind.PROVIDER):
        with pytest.raises(NotAllowed):
            indicators_for(make_actor(kind))


def test_communes_carry_their_intercommunality(db, communes):
    programme = ProgrammeFactory()
    build(programme, seed=7, people=8)
    figures = indicators_for_programme(programme, today=TODAY)
    mende = next(c for c in figures.by_commune if c.insee_code == "48095")
    assert mende.epci_code == Commune.objects.get(insee_code="48095").epci.code
    assert mende.latitude is not None
    assert {e.name for e in figures.by_epci} >= {"CC Coeur de Lozère"}
