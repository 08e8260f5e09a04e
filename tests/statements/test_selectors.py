"""Who sees which statements, their totals in one query, their lines, and the reconciliation."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passnum.common.exceptions import InvalidInput, NotAllowed, NotFound
from passnum.journal.enums import Action
from passnum.journal.services import record
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.statements.periods import month_label
from passnum.statements.selectors import (
    reconcile,
    statement_for,
    statement_lines,
    statements_visible_to,
)
from passnum.statements.services import generate_statements, pay_statement, validate_statement
from tests.factories import MembershipFactory

from .factories import accredited_provider, assigned_passes, redeem_directly

Kind = OrganisationKind
TODAY = timezone.localdate()
PERIOD = f"{TODAY:%Y-%m}"


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


@pytest.fixture
def department(make_actor):
    return make_actor(Kind.DEPARTMENT)


@pytest.fixture
def providers(programme, department, operator):
    """Two providers, each with one statement of this month (5 and 3 passes)."""
    first = accredited_provider(programme, name="Atelier de Mende")
    second = accredited_provider(programme, name="Bus numérique")
    redeem_directly(assigned_passes(programme, department), first, duration_minutes=300)
    redeem_directly(assigned_passes(programme, department)[:3], second)
    generate_statements(operator, PERIOD)
    return first, second


def provider_actor(organisation):
    return Actor(MembershipFactory(organisation=organisation))


def test_the_operator_sees_all_with_totals_in_one_query(operator, providers):
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (s.organisation.name, s.passes_count, s.amount_cents)
            for s in statements_visible_to(operator)
        ]
    assert rows == [("Atelier de Mende", 5, 5000), ("Bus numérique", 3, 3000)]
    assert len(queries) == 1


def test_a_provider_sees_only_its_own(providers):
    first, second = providers
    actor = provider_actor(second)
    assert [(s.organisation_id, s.amount_cents) for s in statements_visible_to(actor)] == [
        (second.pk, 3000)
    ]
    theirs = statements_visible_to(provider_actor(first)).get()
    with pytest.raises(NotFound):
        statement_for(actor, theirs.pk)
    assert statement_for(provider_actor(first), theirs.pk).passes_count == 5


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT])
def test_other_roles_see_no_statement(make_actor, providers, kind):
    with pytest.raises(NotAllowed):
        statements_visible_to(make_actor(kind))


def test_filters(operator, providers):
    assert statements_visible_to(operator, status="paid").count() == 0
    assert statements_visible_to(operator, status="draft").count() == 2
    assert statements_visible_to(operator, period=PERIOD).count() == 2
    assert statements_visible_to(operator, period="2020-01").count() == 0
    with pytest.raises(InvalidInput):
        statements_visible_to(operator, status="perdu")
    with pytest.raises(InvalidInput):
        statements_visible_to(operator, period="hier")


def test_statement_for_refuses_unknown_ids(operator, providers):
    for wrong in (0, 999_999, "abc"):
        with pytest.raises(NotFound):
            statement_for(operator, wrong)


def test_lines_show_serials_sessions_and_values(operator, providers):
    statement = statements_visible_to(operator).first()
    lines = statement_lines(statement)
    assert len(lines) == 5
    serials = list(
        Pass.objects.filter(redemptions__statement=statement)
        .order_by("serial")
        .values_list("serial", flat=True)
    )
    assert [line.serial for line in lines] == serials
    assert {(line.session_date, line.duration_minutes, line.value_cents) for line in lines} == {
        (TODAY, 300, 1000)
    }
    assert lines[0].services == "Maîtrise des outils numériques du quotidien"


def test_month_label_in_french():
    assert month_label(datetime.date(2026, 3, 1)) == "mars 2026"
    assert month_label(datetime.date(2026, 8, 1)) == "août 2026"


def test_reconcile_balances_after_payment(programme, operator, providers):
    statement = statements_visible_to(operator).first()
    validate_statement(operator, statement)
    pay_statement(operator, statement, TODAY, "VIR-1")
    result = reconcile(programme)
    assert (result.paid_cents, result.reimbursed_cents) == (5000, 5000)
    assert result.discrepancies == []
    assert result.balanced


def test_reconcile_reports_a_pass_reimbursed_outside_the_rules(programme, operator, providers):
    statement = statements_visible_to(operator).first()
    validate_statement(operator, statement)
    pay_statement(operator, statement, TODAY, "VIR-1")
    stray = Pass.objects.filter(status=PassStatus.REDEEMED).order_by("serial").first()
    Pass.objects.filter(pk=stray.pk).update(status=PassStatus.REIMBURSED)  # no journal entry
    paid_pass = Pass.objects.filter(redemptions__statement=statement).first()
    record(operator, paid_pass, Action.REIMBURSED, before="redeemed", after="reimbursed")  # twice

    result = reconcile(programme)

    assert (result.paid_cents, result.reimbursed_cents) == (5000, 6000)
    assert not result.balanced
    assert result.discrepancies[0] == (
        "Relevés payés : 5000 centimes ; pass remboursés : 6000 centimes."
    )
    assert f"Pass {paid_pass.serial} : 2 entrée(s) « remboursé » au journal." in (
        result.discrepancies
    )
    assert f"Pass {stray.serial} : 0 entrée(s) « remboursé » au journal." in result.discrepancies
    assert f"Pass {stray.serial} : remboursé hors d'un relevé payé." in result.discrepancies
