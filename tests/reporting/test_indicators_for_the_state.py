"""The indicators the State report adds (the ledger per status, the passes that entered it in the
period, the passes as prescribed, the people per public and per territory, each funder's share of
the passes used, the engineering share and its expenses) equal a direct computation on a
generated programme, with replacements, imported passes and expenses; a second programme never
mixes in, and the number of queries does not grow with the data."""

import datetime
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import CONSUMED, PassSource, PassStatus
from passnum.passes.models import Checkbook, Pass
from passnum.passes.services import cancel_and_replace
from passnum.programmes.budget import split_between_funders
from passnum.programmes.models import EngineeringExpense
from passnum.redemptions.models import Redemption
from passnum.referential.enums import Public
from passnum.reporting.indicators import OUTSIDE_PRIORITY, indicators_for_programme
from passnum.reporting.periods import Period
from tests.factories import (
    FunderFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.reporting.test_indicators import TODAY, build

PERIODS = [Period(), Period(date(2026, 3, 1), date(2026, 8, 31))]


def aware(day: date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def enrich(programme, seed: int):
    """On top of ``build``: passes born on several days (some imported), two lost passes
    replaced, two funders, engineering expenses over the year."""
    build(programme, seed=seed, people=14)
    passes = list(Pass.objects.filter(programme=programme).order_by("pk"))
    for i, pass_ in enumerate(passes):
        day = date(2026, 1, 2) + datetime.timedelta(days=(i * 7) % 300)
        Pass.objects.filter(pk=pass_.pk).update(created_at=aware(day))
    Pass.objects.filter(pk__in=[p.pk for p in passes[::4]]).update(source=PassSource.IMPORTED)
    department = Actor(
        MembershipFactory(
            organisation=OrganisationFactory(programme=programme, kind=OrganisationKind.DEPARTMENT)
        )
    )
    unused = (
        Pass.objects.filter(programme=programme, status=PassStatus.ASSIGNED)
        .filter(expires_on__gte=TODAY)
        .order_by("serial")
        .first()
    )
    if unused is not None:
        cancel_and_replace(
            department, unused.checkbook, [unused.serial], "Chéquier perdu.", today=TODAY
        )
    FunderFactory(programme=programme, name=f"État {seed}", share_basis_points=5000)
    FunderFactory(programme=programme, name=f"Département {seed}", share_basis_points=3333)
    user = UserFactory()
    for month, cents in ((2, 500_00), (5, 1_234_56), (9, 99), (11, 300_00)):
        EngineeringExpense.objects.create(
            programme=programme,
            spent_on=date(2026, month, 10),
            label="Coordination",
            amount_cents=cents,
            created_by=user,
        )


def expected(programme, period: Period) -> dict:
    passes = list(Pass.objects.filter(programme=programme))
    born = [
        p
        for p in passes
        if p.replaces_id is None and period.contains(timezone.localdate(p.created_at))
    ]
    cohort = {
        c.pk: c
        for c in Checkbook.objects.filter(programme=programme).select_related(
            "prescription__referral", "beneficiary__commune__epci"
        )
        if period.contains(c.issued_on)
    }
    as_prescribed = [p for p in passes if p.checkbook_id in cohort and p.replaces_id is None]
    people_by_public = defaultdict(set)
    people_in_commune = defaultdict(set)
    people_in_epci = defaultdict(set)
    for checkbook in cohort.values():
        for code in checkbook.prescription.referral.publics or [OUTSIDE_PRIORITY]:
            people_by_public[code].add(checkbook.beneficiary_id)
        commune = checkbook.beneficiary.commune
        people_in_commune[commune.insee_code].add(checkbook.beneficiary_id)
        people_in_epci[commune.epci.code if commune.epci else ""].add(checkbook.beneficiary_id)
    used_cents = sum(
        r.pass_obj.value_cents
        for r in Redemption.objects.filter(programme=programme).select_related(
            "pass_obj", "session"
        )
        if r.undone_at is None
        and r.pass_obj.status in CONSUMED
        and period.contains(r.session.date)
    )
    expenses = list(EngineeringExpense.objects.filter(programme=programme))
    return {
        "ledger": Counter(p.status for p in passes),
        "generated": sum(p.source == PassSource.GENERATED for p in born),
        "imported": sum(p.source == PassSource.IMPORTED for p in born),
        "born_cents": sum(p.value_cents for p in born),
        "prescribed": len(as_prescribed),
        "prescribed_cents": sum(p.value_cents for p in as_prescribed),
        "people_by_public": {
            code: len(people_by_public[code]) for code in [*Public.values, OUTSIDE_PRIORITY]
        },
        "people_in_commune": {k: len(v) for k, v in people_in_commune.items()},
        "people_in_epci": {k: len(v) for k, v in people_in_epci.items()},
        "funders_used": [
            (f.name, cents)
            for f, cents in split_between_funders(used_cents, programme.funders.all())
        ],
        "spent": sum(e.amount_cents for e in expenses),
        "spent_in_period": sum(e.amount_cents for e in expenses if period.contains(e.spent_on)),
        "expenses_in_period": sum(period.contains(e.spent_on) for e in expenses),
    }


@pytest.fixture
def two_programmes(db, communes):
    lozere = ProgrammeFactory(name="Lozère")
    other = ProgrammeFactory(name="Autre territoire", engineering_cents=5_000_00)
    enrich(lozere, seed=11)
    enrich(other, seed=12)
    return lozere, other


@pytest.mark.parametrize("period", PERIODS)
def test_the_state_report_s_indicators_equal_a_direct_computation(two_programmes, period):
    for programme in two_programmes:
        fig = indicators_for_programme(programme, period, today=TODAY)
        want = expected(programme, period)

        assert fig.ledger_passes == {s: want["ledger"][s] for s in PassStatus.values}
        assert (fig.acquired.generated, fig.acquired.imported, fig.acquired.cents) == (
            want["generated"],
            want["imported"],
            want["born_cents"],
        )
        assert fig.acquired.passes == want["generated"] + want["imported"]
        assert (fig.prescribed_passes.passes, fig.prescribed_passes.cents) == (
            want["prescribed"],
            want["prescribed_cents"],
        )
        assert fig.people_by_public == want["people_by_public"]
        assert {c.insee_code: c.people for c in fig.by_commune if c.people} == want[
            "people_in_commune"
        ]
        assert {e.code: e.people for e in fig.by_epci if e.people} == want["people_in_epci"]
        assert sum(e.people for e in fig.by_epci) == fig.people
        assert [(u.funder.name, u.of_used_cents) for u in fig.funders_used] == want["funders_used"]
        engineering = fig.engineering
        assert engineering.share_cents == programme.engineering_cents
        assert (
            engineering.spent_cents,
            engineering.spent_in_period_cents,
            engineering.expenses_in_period,
        ) == (want["spent"], want["spent_in_period"], want["expenses_in_period"])
        assert engineering.left_cents == programme.engineering_cents - want["spent"]


def test_a_replacement_is_not_a_pass_prescribed_nor_bought(two_programmes):
    lozere, _ = two_programmes
    replacement = Pass.objects.get(programme=lozere, replaces__isnull=False)
    fig = indicators_for_programme(lozere, today=TODAY)
    everything = Pass.objects.filter(programme=lozere, checkbook__isnull=False)

    assert fig.prescribed_passes.passes == everything.count() - 1
    assert sum(fig.passes[s] for s in PassStatus.values if s != PassStatus.AVAILABLE) == (
        everything.count()
    )
    assert fig.acquired.passes == Pass.objects.filter(programme=lozere).count() - 1
    assert replacement.status == PassStatus.ASSIGNED


def test_over_the_whole_programme_the_funders_share_what_was_consumed(two_programmes):
    lozere, _ = two_programmes
    fig = indicators_for_programme(lozere, today=TODAY)

    assert fig.used.cents == fig.budget.consumed_cents
    assert [u.of_used_cents for u in fig.funders_used] == [
        share.of_consumed_cents for share in fig.funders
    ]


def test_query_count_does_not_grow_with_the_data(db, communes):
    small = ProgrammeFactory(name="Petit")
    large = ProgrammeFactory(name="Grand")
    build(small, seed=21, people=2)
    enrich(large, seed=22)
    counts = []
    for programme in (small, large):
        with CaptureQueriesContext(connection) as queries:
            indicators_for_programme(programme, Period(date(2026, 1, 1), None), today=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14
