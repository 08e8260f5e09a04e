import pytest

from passnum.common.exceptions import NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.referential.enums import Public, Service
from passnum.referrals.services import prescribe
from passnum.reporting.indicators import OUTSIDE_PRIORITY
from passnum.reporting.indicators import indicators_for as stats_for
from passnum.reporting.indicators import indicators_for_programme as programme_stats
from passnum.reporting.selectors import usage_rate
from tests.factories import ProgrammeFactory, ReferralFactory, set_status

Kind = OrganisationKind
NO_PASSES = dict.fromkeys(PassStatus.values, 0)


def referral_in(programme, **fields):
    return ReferralFactory(beneficiary__programme=programme, **fields)


def test_a_new_programme(programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        stats = programme_stats(programme)
    assert stats.passes == NO_PASSES
    assert stats.usage_rate == 0.0
    assert stats.by_public == dict.fromkeys([*Public.values, OUTSIDE_PRIORITY], 0)
    assert stats.by_service == dict.fromkeys(Service.values, 0)
    assert stats.budget.pass_budget_cents == 3_600_000
    assert stats.budget.passes_total == 3600
    assert stats.budget.available_cents == 3_600_000


def test_usage_and_budget_follow_the_ledger(programme, make_actor, django_assert_max_num_queries):
    department = make_actor(Kind.DEPARTMENT)
    generate_passes(programme, 15)
    for publics, needs in (
        (["rsa", "senior"], ["securite"]),
        (["rsa"], ["securite", "comprehension"]),
        ([], ["outils_quotidien"]),
    ):
        prescribe(department, referral_in(programme, publics=publics, needs=needs))
    referral_in(programme, publics=["jeune_decrocheur"], needs=["parentalite"])  # pending
    used = [
        PassStatus.REDEEMED,
        PassStatus.REDEEMED,
        PassStatus.REIMBURSED,
        PassStatus.EXPIRED,
        PassStatus.CANCELLED,
    ]
    for pass_, status in zip(Pass.objects.order_by("serial")[: len(used)], used, strict=True):
        set_status([pass_], status)
    other = ProgrammeFactory()
    generate_passes(other, 5)

    with django_assert_max_num_queries(12):
        stats = programme_stats(programme)

    assert stats.passes == {
        **NO_PASSES,
        "available": 0,
        "assigned": 10,
        "redeemed": 2,
        "reimbursed": 1,
        "expired": 1,
        "cancelled": 1,
    }
    # 3 used over 14 ever given (the cancelled one is left out)
    assert stats.usage_rate == round(3 / 14, 4) == 0.2143
    assert stats.budget.committed_cents == 10 * 1000
    assert stats.budget.consumed_cents == 3 * 1000
    assert stats.budget.available_cents == 3_600_000 - 13 * 1000
    assert stats.by_public == {
        **dict.fromkeys([*Public.values, OUTSIDE_PRIORITY], 0),
        "rsa": 2,
        "senior": 1,
        OUTSIDE_PRIORITY: 1,
    }
    assert stats.by_service == {
        **dict.fromkeys(Service.values, 0),
        "securite": 2,
        "comprehension": 1,
        "outils_quotidien": 1,
    }
    assert programme_stats(other).passes == {**NO_PASSES, "available": 5}


@pytest.mark.parametrize(
    ("counts", "rate"),
    [
        ({}, 0.0),
        ({"available": 40, "cancelled": 3}, 0.0),
        ({"assigned": 1, "redeemed": 2}, 0.6667),
        ({"redeemed": 1, "reimbursed": 1}, 1.0),
        ({"assigned": 5, "expired": 5, "cancelled": 90}, 0.0),
    ],
)
def test_usage_rate(counts, rate):
    assert usage_rate({**NO_PASSES, **counts}) == rate


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (Kind.REFERRER, False),
        (Kind.DEPARTMENT, True),
        (Kind.PROVIDER, False),
        (Kind.OPERATOR, True),
        (Kind.FUNDER, True),
    ],
)
def test_stats_for_the_department_the_operator_and_funders_only(
    make_actor, programme, kind, allowed
):
    generate_passes(programme, 3)
    actor = make_actor(kind)
    if allowed:
        assert stats_for(actor).passes == {**NO_PASSES, "available": 3}
    else:
        with pytest.raises(NotAllowed, match="indicateurs du programme"):
            stats_for(actor)


@pytest.mark.django_db(transaction=True, databases=["default", "reporting"])
def test_reports_read_the_database_they_are_given(programme, make_actor):
    """A replica for reports: every query of the indicators goes to the database named, none to
    the main one."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from passnum.programmes.selectors import programme_overview
    from passnum.reporting.selectors import self_referred_redemptions

    generate_passes(programme, 10)
    prescribe(make_actor(Kind.DEPARTMENT), referral_in(programme, publics=["rsa"]))
    with (
        CaptureQueriesContext(connections["default"]) as main,
        CaptureQueriesContext(connections["reporting"]) as replica,
    ):
        stats = programme_stats(programme, using="reporting")
        programme_overview(programme, stats.budget, using="reporting")
        self_referred_redemptions(programme, using="reporting")
    assert stats.passes["assigned"] == 5
    assert stats.by_public["rsa"] == 1
    assert len(replica) >= 4
    assert len(main) == 0
