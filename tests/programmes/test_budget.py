import pytest
from django.db import IntegrityError, transaction

from passnum.common.exceptions import NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.programmes.budget import budget_of, split_between_funders
from passnum.programmes.enums import FunderKind
from passnum.programmes.exceptions import FunderSharesExceedWhole
from passnum.programmes.models import Funder
from passnum.programmes.selectors import programme_overview
from passnum.programmes.services import set_funder
from tests.factories import FunderFactory, ProgrammeFactory


def test_lozere_budget_figures(programme):
    budget = budget_of(programme)
    assert budget.envelope_cents == 40_000_00
    assert budget.engineering_cents == 4_000_00
    assert budget.pass_budget_cents == 36_000_00
    assert budget.passes_total == 3600
    assert budget.checkbooks_total == 720
    assert budget.checkbook_value_cents == 50_00
    assert budget.available_cents == 36_000_00


def test_available_budget_subtracts_committed_and_consumed(programme):
    budget = budget_of(programme, committed_cents=500_00, consumed_cents=120_00)
    assert budget.available_cents == 36_000_00 - 500_00 - 120_00
    assert budget.can_cover_checkbook


def test_checkbook_not_covered_below_its_value(programme):
    budget = budget_of(programme, committed_cents=36_000_00 - 49_99)
    assert budget.available_cents == 49_99
    assert not budget.can_cover_checkbook


def test_state_share_of_the_lozere_envelope(programme):
    state = FunderFactory(programme=programme, name="État", kind=FunderKind.STATE)
    department = FunderFactory(programme=programme, name="Département", kind=FunderKind.DEPARTMENT)
    overview = programme_overview(programme)
    shares = {s.funder.pk: s.of_envelope_cents for s in overview.funders}
    assert shares == {state.pk: 20_000_00, department.pk: 20_000_00}


@pytest.mark.parametrize(
    ("amount", "shares", "expected"),
    [
        (100, [5000, 5000], [50, 50]),
        (101, [5000, 5000], [51, 50]),  # the odd cent goes to one funder, none is lost
        (100, [3333, 3333, 3334], [33, 33, 34]),
        (1000, [7000, 2000], [700, 200]),  # 10 % left unallocated
        (0, [5000, 5000], [0, 0]),
    ],
)
def test_split_between_funders_adds_up(amount, shares, expected):
    class F:
        def __init__(self, bp):
            self.share_basis_points = bp

    funders = [F(bp) for bp in shares]
    result = [cents for _, cents in split_between_funders(amount, funders)]
    assert result == expected
    assert sum(result) == amount * sum(shares) // 10_000


@pytest.mark.parametrize(
    "fields",
    [
        {"engineering_cents": 40_000_00},  # engineering takes the whole envelope
        {"engineering_cents": -1},
        {"envelope_cents": 0},
        {"pass_value_cents": 0},
        {"passes_per_checkbook": 0},
        {"validity_days": 0},
        {"max_checkbooks_per_person": 0},
        {"territory_code": "99"},
    ],
)
def test_programme_constraints_in_the_database(db, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory(**fields)


def test_programme_period_constraint(db):
    from datetime import date

    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory(starts_on=date(2026, 1, 1), ends_on=date(2025, 12, 31))


def test_funder_share_constraint(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        FunderFactory(programme=programme, share_basis_points=10_001)


def test_operator_sets_funders_up_to_100_percent(programme, make_actor):
    operator = make_actor(OrganisationKind.OPERATOR)
    set_funder(operator, programme, name="État", kind=FunderKind.STATE, share_basis_points=5000)
    set_funder(operator, programme, name="Département", kind="department", share_basis_points=5000)
    # updating an existing funder replaces its share instead of adding to it
    set_funder(operator, programme, name="État", kind=FunderKind.STATE, share_basis_points=4000)
    assert dict(programme.funders.values_list("name", "share_basis_points")) == {
        "État": 4000,
        "Département": 5000,
    }


def test_funder_shares_beyond_100_percent_change_nothing(programme, make_actor):
    operator = make_actor(OrganisationKind.OPERATOR)
    set_funder(operator, programme, name="État", kind=FunderKind.STATE, share_basis_points=6000)
    with pytest.raises(FunderSharesExceedWhole, match="110 %"):
        set_funder(operator, programme, name="Région", kind="region", share_basis_points=5000)
    assert list(Funder.objects.values_list("name", flat=True)) == ["État"]


@pytest.mark.parametrize(
    "kind", [OrganisationKind.REFERRER, OrganisationKind.DEPARTMENT, OrganisationKind.PROVIDER]
)
def test_only_the_operator_sets_funders(programme, make_actor, kind):
    with pytest.raises(NotAllowed):
        set_funder(make_actor(kind), programme, name="X", kind="other", share_basis_points=10)
    assert not Funder.objects.exists()


def test_operator_cannot_set_funders_of_another_programme(programme, make_actor):
    other = ProgrammeFactory(territory_code="12")
    with pytest.raises(NotAllowed) as excinfo:
        set_funder(
            make_actor(OrganisationKind.OPERATOR),
            other,
            name="X",
            kind="other",
            share_basis_points=10,
        )
    assert excinfo.value.code == "other_programme"
    assert not Funder.objects.exists()


def test_the_budget_says_what_is_left_to_buy_and_to_prescribe(programme, make_actor):
    """Computed once (programmes.budget) for the queue, the stock commands and the API."""
    from passnum.organisations.enums import OrganisationKind
    from passnum.passes.selectors import budget_for
    from passnum.passes.services import generate_passes
    from passnum.referrals.services import prescribe
    from tests.factories import ReferralFactory

    generate_passes(programme, 12)
    prescribe(
        make_actor(OrganisationKind.DEPARTMENT), ReferralFactory(beneficiary__programme=programme)
    )
    budget = budget_for(programme)
    assert (budget.in_stock, budget.checkbooks_in_stock) == (7, 1)
    assert budget.checkbooks_in_budget == (3_600_000 - 5_000) // 5_000
    assert budget.passes_purchasable == 3600 - 12
    assert budget.room_cents == 3_600_000 - 12_000
