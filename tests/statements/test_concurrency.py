"""Two generations of the same month at the same instant, on PostgreSQL: the programme's row
lock makes them take turns, so a redemption is never attached twice and one statement exists
per provider and month. Two payments of one statement: exactly one succeeds."""

import pytest
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.redemptions.models import Redemption
from passnum.statements.exceptions import NotValidated
from passnum.statements.models import Statement
from passnum.statements.services import generate_statements, pay_statement, validate_statement
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from tests.referrals.test_concurrency import run_together

from .factories import accredited_provider, assigned_passes, redeem_directly

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("postgres_only"),
]
ROUNDS = 3


def actor_of(programme, kind) -> Actor:
    organisation = OrganisationFactory(programme=programme, kind=kind)
    return Actor(MembershipFactory(organisation=organisation))


def test_concurrent_generations_attach_each_redemption_once():
    today = timezone.localdate()
    for _ in range(ROUNDS):
        programme = ProgrammeFactory()
        department = actor_of(programme, OrganisationKind.DEPARTMENT)
        operators = [actor_of(programme, OrganisationKind.OPERATOR) for _ in range(2)]
        provider = accredited_provider(programme)
        redeem_directly(assigned_passes(programme, department), provider)

        outcomes = run_together(
            *[lambda op=op: generate_statements(op, f"{today:%Y-%m}") for op in operators]
        )

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert sorted(len(o) for o in outcomes) == [0, 1]
        statement = Statement.objects.get(programme=programme)
        assert Redemption.objects.filter(statement=statement).count() == 5
        assert JournalEntry.objects.about(statement).count() == 1


def test_concurrent_payments_reimburse_once():
    today = timezone.localdate()
    programme = ProgrammeFactory()
    department = actor_of(programme, OrganisationKind.DEPARTMENT)
    operator = actor_of(programme, OrganisationKind.OPERATOR)
    provider = accredited_provider(programme)
    passes = assigned_passes(programme, department)
    redeem_directly(passes, provider)
    [statement] = generate_statements(operator, f"{today:%Y-%m}")
    validate_statement(operator, statement)

    outcomes = run_together(
        lambda: pay_statement(operator, statement, today, "VIR-A"),
        lambda: pay_statement(operator, statement, today, "VIR-B"),
    )

    assert sum(isinstance(o, Statement) for o in outcomes) == 1
    assert sum(isinstance(o, NotValidated) for o in outcomes) == 1
    assert (
        JournalEntry.objects.filter(
            subject_type="pass", subject_id__in=[p.pk for p in passes], action="reimbursed"
        ).count()
        == 5
    )
