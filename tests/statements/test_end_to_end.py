"""From the referral to the payment: the 5 passes of a checkbook redeemed in two sessions, put
in the month's statement, validated and paid; the budget and the journal agree."""

import pytest
from django.utils import timezone

from passnum.beneficiaries.services import BeneficiaryData
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import keys
from passnum.passes.enums import PassStatus
from passnum.passes.selectors import budget_for
from passnum.passes.services import generate_passes
from passnum.redemptions.services import redeem
from passnum.referrals.services import prescribe, refer
from passnum.statements.selectors import reconcile, statement_for
from passnum.statements.services import generate_statements, pay_statement, validate_statement
from tests.factories import CommuneFactory

from .factories import accredited_provider

Kind = OrganisationKind


@pytest.fixture
def provider(programme, make_actor):
    return make_actor(Kind.PROVIDER, organisation=accredited_provider(programme))


def test_referral_to_payment(programme, make_actor, provider):
    referrer = make_actor(Kind.REFERRER)
    department = make_actor(Kind.DEPARTMENT)
    operator = make_actor(Kind.OPERATOR)
    today = timezone.localdate()
    generate_passes(programme, 5)

    referral = refer(
        referrer,
        publics=["rsa"],
        needs=["outils_quotidien"],
        beneficiary_data=BeneficiaryData(
            first_name="Jeanne",
            last_name="Durand",
            birth_date=today.replace(year=today.year - 40, day=1),
            commune=CommuneFactory(),
        ),
    )
    prescription = prescribe(department, referral)
    passes = list(prescription.checkbook.passes.order_by("serial"))
    codes = [keys.decrypt(p.code_encrypted) for p in passes]
    assert budget_for(programme).committed_cents == 5000

    redeem(provider, codes=codes[:3], date=today, duration_minutes=180, services=["securite"])
    redeem(provider, codes=codes[3:], date=today, duration_minutes=120, services=["securite"])
    assert {p.status for p in prescription.checkbook.passes.all()} == {PassStatus.REDEEMED}

    [statement] = generate_statements(operator, f"{today:%Y-%m}")
    assert statement.organisation == provider.organisation
    statement = statement_for(operator, statement.pk)
    assert (statement.passes_count, statement.amount_cents) == (5, 5000)
    validate_statement(operator, statement)
    pay_statement(operator, statement, today, "VIR-2026-0001")

    assert {p.status for p in prescription.checkbook.passes.all()} == {PassStatus.REIMBURSED}
    assert (
        JournalEntry.objects.filter(
            subject_type="pass", subject_id__in=[p.pk for p in passes], action="reimbursed"
        ).count()
        == 5
    )
    budget = budget_for(programme)
    assert budget.committed_cents == 0
    assert budget.consumed_cents == 5000
    assert budget.available_cents == 36_000_00 - 50_00
    result = reconcile(programme)
    assert (result.paid_cents, result.reimbursed_cents, result.discrepancies) == (5000, 5000, [])
    # the provider sees its paid statement
    assert statement_for(provider, statement.pk).status == "paid"
