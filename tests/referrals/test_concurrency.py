"""Two prescriptions (or referrals) at the same instant, on PostgreSQL: the programme's row
lock makes them take turns, so the budget, the referral's state and the people recorded are
never overrun."""

import threading
from datetime import date

import pytest
from django.db import connection

from passnum.beneficiaries.models import Beneficiary
from passnum.beneficiaries.services import BeneficiaryData
from passnum.organisations.actor import Actor
from passnum.passes.enums import PassStatus
from passnum.passes.exceptions import BudgetExhausted
from passnum.passes.models import Checkbook
from passnum.passes.selectors import budget_for, ledger_of
from passnum.passes.services import generate_passes
from passnum.programmes.models import Programme
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.exceptions import NotPending
from passnum.referrals.models import Prescription, Referral
from passnum.referrals.services import OnDuplicate, prescribe, refer
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
)

TODAY = date(2026, 3, 2)
ROUNDS = 5

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def run_together(*calls):
    """Run each call in its own thread, released at the same instant; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def work(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture
def department_of(postgres_only):
    """department_of(programme) -> an Actor of a new department organisation of it."""

    def make(programme):
        organisation = OrganisationFactory(programme=programme, department=True)
        return Actor(MembershipFactory(organisation=organisation))

    return make


def fresh_programme(department_of):
    """A programme whose budget and stock cover exactly one checkbook, and its department."""
    programme = ProgrammeFactory(envelope_cents=6_000, engineering_cents=1_000)
    generate_passes(programme, 5, today=TODAY)
    assert budget_for(programme).checkbooks_total == 1
    return programme, department_of(programme)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_people_one_checkbook_left(department_of, round_):
    programme, department = fresh_programme(department_of)
    first, second = (ReferralFactory(beneficiary__programme=programme) for _ in range(2))

    outcomes = run_together(
        lambda: prescribe(department, first, today=TODAY),
        lambda: prescribe(department, second, today=TODAY),
    )

    won = [o for o in outcomes if isinstance(o, Prescription)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1, outcomes
    assert isinstance(lost[0], BudgetExhausted), outcomes
    ledger = ledger_of(programme)
    assert ledger.count(PassStatus.ASSIGNED) == 5
    assert ledger.count(PassStatus.AVAILABLE) == 0
    assert budget_for(programme).available_cents == 0
    assert Checkbook.objects.filter(programme=programme).count() == 1
    statuses = sorted(
        Referral.objects.filter(programme=programme).values_list("status", flat=True)
    )
    assert statuses == [ReferralStatus.PENDING, ReferralStatus.PRESCRIBED]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_same_referral_prescribed_twice(department_of, round_):
    programme = ProgrammeFactory()  # plenty of budget: only the referral's state decides
    generate_passes(programme, 20, today=TODAY)
    department, colleague = department_of(programme), department_of(programme)
    referral = ReferralFactory(beneficiary__programme=programme)

    outcomes = run_together(
        lambda: prescribe(department, referral, today=TODAY),
        lambda: prescribe(colleague, referral, today=TODAY),
    )

    won = [o for o in outcomes if isinstance(o, Prescription)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1, outcomes
    assert isinstance(lost[0], NotPending), outcomes
    assert ledger_of(programme).count(PassStatus.ASSIGNED) == 5
    assert Checkbook.objects.filter(programme=programme).count() == 1
    assert Prescription.objects.filter(referral=referral).count() == 1
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PRESCRIBED


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_budget_for_one_checkbook_with_stock_for_two(department_of, round_):
    """Only the programme's lock keeps the budget: the stock alone would allow both."""
    programme = ProgrammeFactory(envelope_cents=11_000, engineering_cents=1_000)
    generate_passes(programme, 10, today=TODAY)
    Programme.objects.filter(pk=programme.pk).update(envelope_cents=6_000)
    programme.refresh_from_db()
    department = department_of(programme)
    first, second = (ReferralFactory(beneficiary__programme=programme) for _ in range(2))

    outcomes = run_together(
        lambda: prescribe(department, first, today=TODAY),
        lambda: prescribe(department, second, today=TODAY),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["BudgetExhausted", "Prescription"]
    assert ledger_of(programme).count(PassStatus.ASSIGNED) == 5
    assert budget_for(programme).available_cents == 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_same_new_person_referred_twice(department_of, round_):
    """Two members of one organisation record the same person at once: one person, one pending
    referral. (Two organisations would each record their own: see test_referrals_confidentiality.)
    """
    programme = ProgrammeFactory()
    organisation = OrganisationFactory(programme=programme)
    referrers = [Actor(MembershipFactory(organisation=organisation)) for _ in range(2)]
    mende = CommuneFactory()

    def orient(actor):
        return refer(
            actor,
            publics=["rsa"],
            needs=["outils_quotidien"],
            beneficiary_data=BeneficiaryData("Jeanne", "Dupont", date(1980, 5, 17), mende),
            on_duplicate=OnDuplicate.REUSE,
            today=TODAY,
        )

    outcomes = run_together(*(lambda a=a: orient(a) for a in referrers))

    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyPending", "Referral"]
    assert Beneficiary.objects.filter(programme=programme).count() == 1
    assert Referral.objects.filter(programme=programme).count() == 1
