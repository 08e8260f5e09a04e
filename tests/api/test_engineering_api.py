"""GET and POST /api/v1/engineering-expenses: the operator lists and records its engineering
expenses, never beyond the engineering share; bad input gets a French 422 and writes nothing;
the other roles are refused."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.programmes.models import EngineeringExpense
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory

Kind = OrganisationKind
URL = "/api/v1/engineering-expenses"


def body(**fields):
    return {
        "spent_on": fields.pop("spent_on", "2026-03-02"),
        "label": fields.pop("label", "Ingénierie de formation"),
        "amount_cents": fields.pop("amount_cents", 1_250_00),
        **fields,
    }


def post(client, payload):
    return client.post(URL, payload, content_type="application/json")


@pytest.fixture
def operator(api_as):
    client, _ = api_as(Kind.OPERATOR)
    return client


def test_the_operator_records_then_lists(operator, programme):
    response = post(operator, body(supplier="Atelier Canopé", reference="FAC-14"))

    assert response.status_code == 201
    created = response.json()
    expense = EngineeringExpense.objects.get()
    assert created["id"] == expense.pk
    assert {k: created[k] for k in ("spent_on", "label", "amount_cents", "supplier")} == {
        "spent_on": "2026-03-02",
        "label": "Ingénierie de formation",
        "amount_cents": 1_250_00,
        "supplier": "Atelier Canopé",
    }
    assert created["totals"] == {
        "share_cents": 4_000_00,
        "spent_cents": 1_250_00,
        "left_cents": 2_750_00,
    }
    post(operator, body(spent_on="2026-05-01", amount_cents=250_00, label="Affiches"))

    listed = operator.get(URL).json()
    assert listed["count"] == 2
    assert [i["label"] for i in listed["items"]] == ["Affiches", "Ingénierie de formation"]
    assert listed["totals"] == {
        "share_cents": 4_000_00,
        "spent_cents": 1_500_00,
        "left_cents": 2_500_00,
    }
    assert operator.get(URL, {"limit": 1, "offset": 1}).json()["items"][0]["label"] == (
        "Ingénierie de formation"
    )


def test_beyond_the_share_is_a_409_and_nothing_is_written(operator, programme):
    assert post(operator, body(amount_cents=3_999_00)).status_code == 201
    response = post(operator, body(amount_cents=1_01))

    assert response.status_code == 409
    assert response.json()["code"] == "engineering_share_exceeded"
    assert response.json()["field"] == "amount_cents"
    assert "il reste 1,00\u00a0€" in response.json()["detail"]
    assert EngineeringExpense.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "code", "detail"),
    [
        (body(amount_cents=0), "invalid_amount", "supérieur à zéro"),
        (body(amount_cents=-100), "invalid_amount", "supérieur à zéro"),
        (body(amount_cents=10**30), "invalid_amount", "vérifiez la saisie"),
        (body(amount_cents="²"), "invalid_input", "amount_cents doit être un nombre entier"),
        (body(amount_cents=12.5), "invalid_input", "amount_cents doit être un nombre entier"),
        (body(amount_cents=None), "invalid_input", "amount_cents doit être un nombre entier"),
        (body(label="  "), "label_required", "Indiquez l'objet de la dépense."),
        (body(label="x" * 201), "invalid_expense", "200 caractères au plus"),
        (body(spent_on="2026-02-30"), "invalid_input", "spent_on doit être une date"),
        (body(spent_on="²⁰²⁶-01-01"), "invalid_input", "spent_on doit être une date"),
        (body(spent_on="2025-12-31"), "date_outside_programme", "comprise dans le programme"),
        (body(spent_on="2099-01-01"), "date_in_future", "dans le futur"),
        (body(label="Nul\x00"), "invalid_input", "caractère de contrôle"),
        (body(colour="bleu"), "unknown_field", "Champ inconnu : colour."),
        ({"label": "Sans montant"}, "invalid_input", "champ obligatoire"),
    ],
)
def test_bad_input_gets_a_french_422_and_nothing_is_written(operator, payload, code, detail):
    response = post(operator, payload)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert detail in response.json()["detail"]
    assert not EngineeringExpense.objects.exists()
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER, Kind.FUNDER])
def test_other_roles_are_refused(api_as, programme, kind):
    client, _ = api_as(kind)
    for response in (client.get(URL), post(client, body())):
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Seul le pilote peut modifier le programme.",
            "code": "forbidden",
        }
    assert not EngineeringExpense.objects.exists()


def test_without_a_token(db):
    assert Client().get(URL).status_code == 401
    assert post(Client(), body()).status_code == 401


def test_another_programme_s_expenses_are_not_listed(api_as, programme, operator):
    post(operator, body(label="Les nôtres"))
    other = ProgrammeFactory(name="Autre programme")
    other_operator, _ = api_as(
        Kind.OPERATOR, organisation=OrganisationFactory(programme=other, kind=Kind.OPERATOR)
    )

    listed = other_operator.get(URL).json()
    assert listed == {
        "items": [],
        "count": 0,
        "totals": {"share_cents": 4_000_00, "spent_cents": 0, "left_cents": 4_000_00},
    }


@pytest.mark.parametrize("expenses", [1, 30])
def test_the_list_s_queries_do_not_grow(
    operator, programme, expenses, django_assert_max_num_queries
):
    user = UserFactory()
    EngineeringExpense.objects.bulk_create(
        EngineeringExpense(
            programme=programme,
            spent_on=date(2026, 2, 1),
            label=f"Dépense {n}",
            amount_cents=100,
            created_by=user,
        )
        for n in range(expenses)
    )
    with django_assert_max_num_queries(4):  # token, page, count, totals
        response = operator.get(URL)
    assert len(response.json()["items"]) == expenses


def test_today_is_not_in_the_future(operator, programme):
    today = timezone.localdate()
    if not programme.starts_on <= today <= programme.ends_on:
        pytest.skip("aujourd'hui est hors du programme de test")
    assert post(operator, body(spent_on=today.isoformat())).status_code == 201
