"""Statements: generation per provider and month, validation, payment; who may; every refusal
leaves the database as it was."""

import datetime

import pytest
from django.utils import timezone

from passnum.common.exceptions import InvalidInput, NotAllowed
from passnum.journal.models import JournalEntry
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes.models import Pass
from passnum.providers.models import BankDetails
from passnum.redemptions.models import Redemption
from passnum.statements.exceptions import (
    EmptyStatement,
    InvalidPeriod,
    NoBankDetails,
    NotDraft,
    NotValidated,
    PeriodInFuture,
)
from passnum.statements.models import Statement, StatementStatus
from passnum.statements.services import generate_statements, pay_statement, validate_statement
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory

from .factories import accredited_provider, assigned_passes, redeem_directly

Kind = OrganisationKind
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)
NEXT_MONTH = (THIS_MONTH + datetime.timedelta(days=32)).replace(day=1)


def ym(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def state():
    """Everything a refused operation must leave unchanged."""
    return {
        "statements": list(
            Statement.objects.order_by("pk").values_list(
                "pk", "status", "validated_at", "validated_by", "paid_on", "payment_reference"
            )
        ),
        "redemptions": list(
            Redemption.objects.order_by("pk").values_list("pk", "statement_id", "undone_at")
        ),
        "passes": list(Pass.objects.order_by("pk").values_list("pk", "status")),
        "journal": JournalEntry.objects.count(),
    }


@pytest.fixture
def department(make_actor):
    return make_actor(Kind.DEPARTMENT)


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


@pytest.fixture
def provider(programme):
    return accredited_provider(programme, name="Espace numérique de Mende")


@pytest.fixture
def redeemed(programme, department, provider):
    """5 passes redeemed by ``provider``: 3 last month, 2 this month."""
    passes = assigned_passes(programme, department)
    redeem_directly(passes[:3], provider, on=LAST_MONTH + datetime.timedelta(days=4))
    redeem_directly(passes[3:], provider, on=TODAY)
    return passes


def statement_of(organisation, period) -> Statement:
    return Statement.objects.get(organisation=organisation, period=period)


# Generation


def test_generate_builds_one_draft_per_provider_over_the_month(
    programme, department, operator, provider, redeemed
):
    other = accredited_provider(programme, name="Tiers-lieu de Florac")
    redeem_directly(assigned_passes(programme, department), other, on=LAST_MONTH)

    made = generate_statements(operator, ym(LAST_MONTH))

    assert {s.organisation_id for s in made} == {provider.pk, other.pk}
    mine = statement_of(provider, LAST_MONTH)
    assert mine.status == StatementStatus.DRAFT
    # only the sessions on or before the month's end
    assert sorted(mine.redemptions.values_list("pass_obj_id", flat=True)) == [
        p.pk for p in redeemed[:3]
    ]
    assert Redemption.objects.filter(pass_obj__in=redeemed[3:], statement=None).count() == 2
    assert statement_of(other, LAST_MONTH).redemptions.count() == 5
    entries = JournalEntry.objects.about(mine)
    assert list(entries.values_list("action", "after")) == [("created", "draft")]
    assert entries.get().data == {"period": ym(LAST_MONTH), "added_redemptions": 3}


def test_generating_twice_attaches_nothing_twice(operator, provider, redeemed):
    generate_statements(operator, ym(LAST_MONTH))
    before = state()
    assert generate_statements(operator, ym(LAST_MONTH)) == []
    assert state() == before


def test_a_later_month_takes_what_earlier_months_left(operator, provider, redeemed):
    generate_statements(operator, ym(LAST_MONTH))
    [made] = generate_statements(operator, ym(THIS_MONTH))
    assert made.period == THIS_MONTH
    assert sorted(made.redemptions.values_list("pass_obj_id", flat=True)) == [
        p.pk for p in redeemed[3:]
    ]


def test_a_draft_of_the_month_is_completed(programme, department, operator, provider, redeemed):
    [first] = generate_statements(operator, ym(LAST_MONTH))
    late = assigned_passes(programme, department)
    redeem_directly(late[:2], provider, on=LAST_MONTH + datetime.timedelta(days=20))

    [again] = generate_statements(operator, ym(LAST_MONTH))

    assert again.pk == first.pk
    assert again.redemptions.count() == 5
    assert list(JournalEntry.objects.about(first).values_list("action", flat=True)) == [
        "created",
        "completed",
    ]


def test_a_validated_month_leaves_late_redemptions_for_the_next(
    programme, department, operator, provider, redeemed
):
    [first] = generate_statements(operator, ym(LAST_MONTH))
    validate_statement(operator, first)
    late = assigned_passes(programme, department)
    redeem_directly(late[:1], provider, on=LAST_MONTH)

    assert generate_statements(operator, ym(LAST_MONTH)) == []
    assert first.redemptions.count() == 3
    [current] = generate_statements(operator, ym(THIS_MONTH))
    assert current.redemptions.count() == 3  # 2 of this month + the late one


def test_undone_redemptions_are_left_out(operator, provider, redeemed):
    Redemption.objects.filter(pass_obj=redeemed[0]).update(undone_at=timezone.now())
    [made] = generate_statements(operator, ym(LAST_MONTH))
    assert made.redemptions.count() == 2


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "mars 2026", "", "2026-03-01", None])
def test_invalid_period_is_refused(operator, redeemed, period):
    before = state()
    with pytest.raises(InvalidPeriod) as error:
        generate_statements(operator, period)
    assert error.value.code == "invalid_period"
    assert "AAAA-MM" in error.value.message
    assert error.value.extra["field"] == "period"
    assert state() == before


def test_a_future_month_is_refused(operator, redeemed):
    before = state()
    with pytest.raises(PeriodInFuture) as error:
        generate_statements(operator, ym(NEXT_MONTH))
    assert error.value.code == "period_in_future"
    assert f"{NEXT_MONTH:%m/%Y}" in error.value.message
    assert state() == before


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_only_the_operator_manages_statements(make_actor, operator, provider, redeemed, kind):
    actor = make_actor(kind)
    before = state()
    with pytest.raises(NotAllowed):
        generate_statements(actor, ym(LAST_MONTH))
    assert state() == before
    [statement] = generate_statements(operator, ym(LAST_MONTH))
    before = state()
    with pytest.raises(NotAllowed):
        validate_statement(actor, statement)
    assert state() == before
    validate_statement(operator, statement)
    before = state()
    with pytest.raises(NotAllowed):
        pay_statement(actor, statement, TODAY, "VIR-1")
    assert state() == before


def test_the_operator_of_another_programme_cannot_validate(operator, provider, redeemed):
    [statement] = generate_statements(operator, ym(LAST_MONTH))
    other = MembershipFactory(
        organisation=OrganisationFactory(programme=ProgrammeFactory(), operator=True)
    )
    before = state()
    with pytest.raises(NotAllowed) as error:
        validate_statement(Actor(other), statement)
    assert error.value.code == "other_programme"
    assert state() == before


# Validation


def test_validate_signs_and_journals(operator, provider, redeemed):
    [statement] = generate_statements(operator, ym(LAST_MONTH))
    validated = validate_statement(operator, statement)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.VALIDATED == validated.status
    assert statement.validated_by == operator.user
    assert statement.validated_at is not None
    entry = JournalEntry.objects.about(statement).get(action="validated")
    assert (entry.before, entry.after) == ("draft", "validated")
    assert entry.data["passes_count"] == 3
    assert entry.data["amount_cents"] == 3000
    # the account to pay is copied now, and journaled (masked)
    bank = provider.bank_details
    assert (statement.payee_name, statement.payee_iban, statement.payee_bic) == (
        bank.account_holder,
        bank.iban,
        bank.bic,
    )
    assert entry.data["payee"].endswith(bank.iban[-4:])
    assert bank.iban not in entry.data["payee"]


def test_validate_twice_is_refused(operator, provider, redeemed):
    [statement] = generate_statements(operator, ym(LAST_MONTH))
    validate_statement(operator, statement)
    before = state()
    with pytest.raises(NotDraft) as error:
        validate_statement(operator, statement)
    assert error.value.code == "not_draft"
    assert "validé" in error.value.message
    assert state() == before


def test_an_empty_statement_cannot_be_validated(programme, operator, provider):
    statement = Statement.objects.create(
        programme=programme, organisation=provider, period=LAST_MONTH
    )
    before = state()
    with pytest.raises(EmptyStatement) as error:
        validate_statement(operator, statement)
    assert error.value.code == "empty_statement"
    assert state() == before


def test_a_provider_without_bank_details_cannot_be_validated(operator, provider, redeemed):
    BankDetails.objects.filter(organisation=provider).delete()
    [statement] = generate_statements(operator, ym(LAST_MONTH))
    before = state()
    with pytest.raises(NoBankDetails) as error:
        validate_statement(operator, statement)
    assert error.value.code == "no_bank_details"
    assert "coordonnées bancaires" in error.value.message
    assert state() == before


# Payment


@pytest.fixture
def validated(operator, provider, redeemed):
    [statement] = generate_statements(operator, ym(LAST_MONTH))
    return validate_statement(operator, statement)


def test_pay_reimburses_every_pass_of_the_statement(operator, redeemed, validated):
    paid = pay_statement(operator, validated, TODAY, "  VIR-2026-001 ")
    paid.refresh_from_db()
    assert paid.status == StatementStatus.PAID
    assert (paid.paid_on, paid.payment_reference, paid.paid_by) == (
        TODAY,
        "VIR-2026-001",
        operator.user,
    )
    statuses = dict(
        Pass.objects.filter(pk__in=[p.pk for p in redeemed]).values_list("pk", "status")
    )
    assert [statuses[p.pk] for p in redeemed] == ["reimbursed"] * 3 + ["redeemed"] * 2
    for p in redeemed[:3]:
        entry = JournalEntry.objects.about(p).get(action="reimbursed")
        assert (entry.before, entry.after, entry.data) == (
            "redeemed",
            "reimbursed",
            {"statement": paid.pk},
        )
    entry = JournalEntry.objects.about(paid).get(action="paid")
    assert entry.data == {
        "paid_on": TODAY.isoformat(),
        "reference": "VIR-2026-001",
        "passes_count": 3,
        "amount_cents": 3000,
    }


def test_a_draft_or_paid_statement_cannot_be_paid(operator, provider, redeemed):
    [draft] = generate_statements(operator, ym(LAST_MONTH))
    before = state()
    with pytest.raises(NotValidated) as error:
        pay_statement(operator, draft, TODAY, "VIR-1")
    assert error.value.code == "not_validated"
    assert "brouillon" in error.value.message
    assert state() == before
    validate_statement(operator, draft)
    pay_statement(operator, draft, TODAY, "VIR-1")
    before = state()
    with pytest.raises(NotValidated):
        pay_statement(operator, draft, TODAY, "VIR-2")
    assert state() == before


@pytest.mark.parametrize(
    ("paid_on", "reference", "code", "field"),
    [
        (None, "VIR-1", "paid_on_required", "paid_on"),
        (TODAY + datetime.timedelta(days=1), "VIR-1", "paid_on_in_future", "paid_on"),
        (TODAY - datetime.timedelta(days=1), "VIR-1", "paid_before_validation", "paid_on"),
        (TODAY, "   ", "reference_required", "reference"),
        (TODAY, "R" * 141, "invalid_input", "reference"),
    ],
)
def test_payment_details_are_checked(operator, validated, paid_on, reference, code, field):
    before = state()
    with pytest.raises(InvalidInput) as error:
        pay_statement(operator, validated, paid_on, reference)
    assert (error.value.code, error.value.extra["field"]) == (code, field)
    assert state() == before


def test_a_reference_of_140_characters_is_accepted(operator, validated):
    assert pay_statement(operator, validated, TODAY, "R" * 140).payment_reference == "R" * 140
