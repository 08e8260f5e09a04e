"""« Dépenses d'ingénierie »: the operator's page (totals, form, list); the amount typed in euros;
bad input and an expense beyond the share get a French message and write nothing."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind
from passnum.programmes.models import EngineeringExpense
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.www.test_misuse_page import logged_in
from tests.www.test_misuse_page import plain as plain_html

Kind = OrganisationKind
URL = reverse("www:engineering")


def plain(response) -> str:
    return plain_html(response).replace("\u202f", " ").replace("\u00a0", " ")


def form(**fields):
    return {
        "spent_on": fields.pop("spent_on", "2026-03-02"),
        "label": fields.pop("label", "Ingénierie de formation"),
        "amount": fields.pop("amount", "1 250,50"),
        "supplier": fields.pop("supplier", "Atelier Canopé"),
        "reference": fields.pop("reference", "FAC-14"),
    }


@pytest.fixture
def operator(make_actor):
    return logged_in(make_actor(Kind.OPERATOR))


def test_the_operator_sees_the_share_and_an_empty_list(operator, programme):
    response = operator.get(URL)

    assert response.status_code == 200
    page = plain(response)
    assert "Part ingénierie Dépensé Reste 4 000 € 0 € 4 000 €" in page
    assert "Aucune dépense d'ingénierie n'est encore enregistrée." in page


def test_an_expense_typed_in_euros_is_recorded(operator, programme):
    response = operator.post(URL, form())

    assert response.status_code == 302
    expense = EngineeringExpense.objects.get()
    assert (expense.amount_cents, expense.label, expense.supplier, expense.reference) == (
        1_250_50,
        "Ingénierie de formation",
        "Atelier Canopé",
        "FAC-14",
    )
    page = plain(operator.get(URL))
    assert "Dépense « Ingénierie de formation » enregistrée." in page
    assert "4 000 € 1 250,50 € 2 749,50 €" in page
    assert "02/03/2026 Ingénierie de formation Atelier Canopé FAC-14 1 250,50 €" in page


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("150", 150_00), ("149,9", 149_90), ("149.90", 149_90), ("1\u00a0250 €", 1_250_00)],
)
def test_amounts_in_euros(operator, programme, typed, cents):
    assert operator.post(URL, form(amount=typed)).status_code == 302
    assert EngineeringExpense.objects.get().amount_cents == cents


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, "Le montant d'une dépense doit être supérieur à zéro."),
        ({"amount": "-5"}, "Le montant n'est pas un montant valide."),
        ({"amount": "²"}, "Le montant n'est pas un montant valide."),
        ({"amount": "12,345"}, "Le montant n'est pas un montant valide."),
        ({"amount": "9" * 40}, "vérifiez la saisie"),
        ({"amount": ""}, "Indiquez le montant de la dépense."),
        ({"label": ""}, "Indiquez l'objet de la dépense."),
        ({"spent_on": "2026-02-30"}, "La date de la dépense n'est pas une date valide"),
        ({"spent_on": ""}, "Indiquez la date de la dépense."),
        ({"spent_on": "2025-06-01"}, "La date de la dépense doit être comprise dans le programme"),
        ({"amount": "4 000,01"}, "dépasserait la part ingénierie du programme"),
    ],
)
def test_bad_input_gets_a_french_message_and_nothing_is_written(
    operator, programme, fields, message
):
    response = operator.post(URL, form(**fields))

    assert response.status_code == 200
    assert message in plain(response)
    assert "Le formulaire contient une erreur" in plain(response)
    assert not EngineeringExpense.objects.exists()


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER, Kind.FUNDER])
def test_other_roles_are_refused(make_actor, programme, kind):
    client = logged_in(make_actor(kind))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form()).status_code == 403
    assert not EngineeringExpense.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_programme_s_expenses_are_not_shown(operator, programme, make_actor):
    operator.post(URL, form(label="Dépense de la Lozère"))
    other = ProgrammeFactory(name="Autre programme")
    other_operator = logged_in(
        make_actor(
            Kind.OPERATOR, organisation=OrganisationFactory(programme=other, kind=Kind.OPERATOR)
        )
    )
    assert "Dépense de la Lozère" not in plain(other_operator.get(URL))


@pytest.mark.parametrize("expenses", [1, 60])
def test_the_page_s_queries_do_not_grow(
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
    with django_assert_max_num_queries(12):
        response = operator.get(URL)
    assert response.status_code == 200


def test_the_dashboard_links_to_it(operator, programme):
    assert URL in operator.get(reverse("www:dashboard")).content.decode()
