"""Two expenses written at the same instant, on PostgreSQL, each alone within the share but not
together: one is refused, through the service (the programme's row lock) and through the ORM
alone (the trigger locks the programme's row before summing)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.programmes.exceptions import EngineeringShareExceeded
from passnum.programmes.models import EngineeringExpense
from passnum.programmes.services import record_expense
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, UserFactory
from tests.referrals.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
ROUNDS = 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_expenses_at_once_through_the_service(postgres_only, round_):
    programme = ProgrammeFactory()
    operators = [
        Actor(
            MembershipFactory(
                organisation=OrganisationFactory(
                    programme=programme, kind=OrganisationKind.OPERATOR
                )
            )
        )
        for _ in range(2)
    ]

    def spend(actor):
        return lambda: record_expense(
            actor,
            spent_on=date(2026, 3, 2),
            label="Coordination",
            amount_cents=3_000_00,
            today=date(2026, 11, 20),
        )

    outcomes = run_together(*(spend(actor) for actor in operators))

    assert sum(isinstance(o, EngineeringExpense) for o in outcomes) == 1
    assert sum(isinstance(o, EngineeringShareExceeded) for o in outcomes) == 1
    assert EngineeringExpense.objects.filter(programme=programme).count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_expenses_at_once_through_the_orm_alone(postgres_only, round_):
    programme = ProgrammeFactory()
    users = [UserFactory(), UserFactory()]

    def write(user):
        def call():
            with transaction.atomic():
                return EngineeringExpense.objects.create(
                    programme=programme,
                    spent_on=date(2026, 3, 2),
                    label="Écrite sans le service",
                    amount_cents=3_000_00,
                    created_by=user,
                )

        return call

    outcomes = run_together(*(write(user) for user in users))

    assert sum(isinstance(o, EngineeringExpense) for o in outcomes) == 1
    assert sum(isinstance(o, IntegrityError) for o in outcomes) == 1
    assert EngineeringExpense.objects.filter(programme=programme).count() == 1
