"""Engineering expenses: recorded by the operator against the programme's engineering share,
never beyond it — in the service, under the programme's lock, and in the database (a trigger,
on SQLite and PostgreSQL, whatever writes the row)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from passnum.common.exceptions import NotAllowed
from passnum.journal.models import Action, JournalEntry, SubjectType
from passnum.organisations.enums import OrganisationKind
from passnum.programmes.exceptions import EngineeringShareExceeded, InvalidExpense
from passnum.programmes.models import EngineeringExpense, Programme
from passnum.programmes.selectors import engineering_expenses_of, engineering_totals
from passnum.programmes.services import record_expense
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory

Kind = OrganisationKind
TODAY = date(2026, 11, 20)
SHARE = 4_000_00  # the factory's programme: 10 % of 40 000 €


def spend(actor, amount_cents, **fields):
    return record_expense(
        actor,
        spent_on=fields.pop("spent_on", date(2026, 3, 2)),
        label=fields.pop("label", "Ingénierie de formation"),
        amount_cents=amount_cents,
        today=TODAY,
        **fields,
    )


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


def test_the_operator_records_an_expense_journaled(programme, operator):
    expense = spend(
        operator, 1_250_50, supplier="Atelier Canopé", reference="FAC-2026-014", label=" Kit "
    )

    assert (expense.label, expense.amount_cents, expense.supplier, expense.reference) == (
        "Kit",
        1_250_50,
        "Atelier Canopé",
        "FAC-2026-014",
    )
    assert expense.created_by == operator.user
    entry = JournalEntry.objects.about(expense).get()
    assert entry.subject_type == SubjectType.ENGINEERING_EXPENSE
    assert entry.action == Action.EXPENSE_RECORDED
    assert entry.organisation == operator.organisation
    assert entry.data == {
        "spent_on": "2026-03-02",
        "amount_cents": 1_250_50,
        "spent_cents": 1_250_50,
        "share_cents": SHARE,
    }
    totals = engineering_totals(programme)
    assert (totals.share_cents, totals.spent_cents, totals.left_cents) == (
        SHARE,
        1_250_50,
        SHARE - 1_250_50,
    )


def test_the_share_can_be_spent_to_the_cent_and_no_further(programme, operator):
    spend(operator, SHARE - 1)
    spend(operator, 1)
    with pytest.raises(EngineeringShareExceeded) as refused:
        spend(operator, 1)

    assert refused.value.code == "engineering_share_exceeded"
    assert refused.value.extra["field"] == "amount_cents"
    assert "il reste 0,00\u00a0€" in refused.value.message
    assert EngineeringExpense.objects.count() == 2
    assert JournalEntry.objects.filter(subject_type=SubjectType.ENGINEERING_EXPENSE).count() == 2


def test_the_refusal_says_what_is_left(programme, operator):
    spend(operator, 3_000_00)
    with pytest.raises(EngineeringShareExceeded) as refused:
        spend(operator, 1_500_00)

    assert refused.value.message == (
        "Cette dépense de 1\u00a0500,00\u00a0€ dépasserait la part ingénierie du programme "
        "(4\u00a0000,00\u00a0€) : 3\u00a0000,00\u00a0€ déjà dépensés, il reste "
        "1\u00a0000,00\u00a0€."
    )
    assert EngineeringExpense.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "supérieur à zéro"),
        (-500, "supérieur à zéro"),
        (10**30, "vérifiez la saisie"),
        (10_000_000_01, "vérifiez la saisie"),
        ("²", "nombre entier de centimes"),
        ("12", "nombre entier de centimes"),
        (12.5, "nombre entier de centimes"),
        (True, "nombre entier de centimes"),
        (None, "nombre entier de centimes"),
    ],
)
def test_a_bad_amount_is_refused_in_french_and_nothing_is_written(operator, amount, message):
    with pytest.raises(InvalidExpense, match=message) as refused:
        spend(operator, amount)

    assert refused.value.code == "invalid_amount"
    assert refused.value.extra["field"] == "amount_cents"
    assert not EngineeringExpense.objects.exists()
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"spent_on": date(2026, 11, 21)}, "date_in_future", "spent_on"),
        ({"spent_on": date(2025, 12, 31)}, "date_outside_programme", "spent_on"),
        ({"spent_on": None}, "invalid_date", "spent_on"),
        ({"label": "   "}, "label_required", "label"),
        ({"label": "x" * 201}, "invalid_expense", "label"),
        ({"supplier": "x" * 201}, "invalid_expense", "supplier"),
        ({"reference": "x" * 101}, "invalid_expense", "reference"),
        ({"reference": 12}, "invalid_expense", "reference"),
    ],
)
def test_bad_dates_and_texts_are_refused(operator, fields, code, field):
    with pytest.raises(InvalidExpense) as refused:
        spend(operator, 100_00, **fields)

    assert (refused.value.code, refused.value.extra["field"]) == (code, field)
    assert not EngineeringExpense.objects.exists()


def test_a_date_after_the_programme_is_refused(db, make_actor):
    programme = ProgrammeFactory(starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    operator = make_actor(
        Kind.OPERATOR, organisation=OrganisationFactory(programme=programme, kind=Kind.OPERATOR)
    )
    with pytest.raises(InvalidExpense, match="du 01/01/2025 au 31/12/2025"):
        spend(operator, 100_00, spent_on=date(2026, 1, 5))


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER, Kind.FUNDER])
def test_only_the_operator_records_and_lists_expenses(make_actor, operator, kind):
    spend(operator, 100_00)
    actor = make_actor(kind)
    with pytest.raises(NotAllowed, match="Seul le pilote"):
        spend(actor, 100_00)
    with pytest.raises(NotAllowed):
        engineering_expenses_of(actor)
    assert EngineeringExpense.objects.count() == 1


def test_each_programme_has_its_own_share(programme, operator, make_actor):
    other = ProgrammeFactory(name="Autre programme")
    other_operator = make_actor(
        Kind.OPERATOR, organisation=OrganisationFactory(programme=other, kind=Kind.OPERATOR)
    )
    spend(operator, SHARE)
    spend(other_operator, SHARE)  # the other programme's share is untouched

    assert [e.programme for e in engineering_expenses_of(operator)] == [programme]
    assert [e.programme for e in engineering_expenses_of(other_operator)] == [other]


# The database trigger: writing through the ORM, past the service.


def forged(programme, amount_cents) -> EngineeringExpense:
    return EngineeringExpense(
        programme=programme,
        spent_on=date(2026, 4, 1),
        label="Écrite sans le service",
        amount_cents=amount_cents,
        created_by=UserFactory(),
    )


def test_the_database_refuses_an_insert_beyond_the_share(programme, operator):
    spend(operator, 3_500_00)
    forged(programme, 500_00).save()  # exactly the share: accepted
    with pytest.raises(IntegrityError, match="part ingénierie"), transaction.atomic():
        forged(programme, 1).save()
    assert engineering_totals(programme).spent_cents == SHARE


def test_the_database_refuses_an_update_beyond_the_share(programme, operator):
    first = spend(operator, 1_000_00)
    spend(operator, 2_000_00)
    EngineeringExpense.objects.filter(pk=first.pk).update(amount_cents=2_000_00)  # 4 000 €
    with pytest.raises(IntegrityError, match="part ingénierie"), transaction.atomic():
        EngineeringExpense.objects.filter(pk=first.pk).update(amount_cents=2_000_01)
    first.refresh_from_db()
    assert first.amount_cents == 2_000_00


def test_the_database_refuses_moving_an_expense_to_a_spent_programme(programme, operator):
    other = ProgrammeFactory(name="Autre programme", engineering_cents=100_00)
    expense = spend(operator, 500_00)
    with pytest.raises(IntegrityError, match="part ingénierie"), transaction.atomic():
        EngineeringExpense.objects.filter(pk=expense.pk).update(programme=other)
    expense.refresh_from_db()
    assert expense.programme == programme


def test_the_share_cannot_drop_below_what_was_spent(programme, operator):
    spend(operator, 3_000_00)
    Programme.objects.filter(pk=programme.pk).update(engineering_cents=3_000_00)  # still covers
    with pytest.raises(IntegrityError, match="inférieure aux dépenses"), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(engineering_cents=2_999_99)
    programme.refresh_from_db()
    assert programme.engineering_cents == 3_000_00
    # The administration's form says it before the database does.
    programme.engineering_cents = 1_000_00
    with pytest.raises(ValidationError, match="inférieure aux dépenses"):
        programme.full_clean()


def test_the_amount_constraints_hold_in_the_database(programme):
    for amount in (0, -1, 10_000_000_01):
        with pytest.raises(IntegrityError), transaction.atomic():
            forged(programme, amount).save()
    assert not EngineeringExpense.objects.exists()
