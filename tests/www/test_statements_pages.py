"""Statement pages: the operator's « Relevés », the provider's « Mes relevés », one statement,
its documents and the SEPA transfer; per role, with the French confirmations."""

import datetime
import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passnum.organisations.enums import OrganisationKind
from passnum.passes.models import Pass
from passnum.statements.models import Statement, StatementStatus
from passnum.statements.periods import month_label
from passnum.statements.services import generate_statements, validate_statement
from tests.factories import MembershipFactory
from tests.statements.factories import (
    PAYER_BIC,
    PAYER_IBAN,
    accredited_provider,
    assigned_passes,
    redeem_directly,
)

Kind = OrganisationKind
TODAY = timezone.localdate()
PERIOD = f"{TODAY:%Y-%m}"
LIST = "/espace/releves/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plain(response) -> str:
    without_tags = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", without_tags)


def field_error(response, name: str) -> str:
    found = re.search(
        rf'<div[^>]*id="id_{name}-desc-error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip() if found else ""


def text_html(client, **query) -> str:
    return client.get(LIST, query).content.decode()


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


@pytest.fixture
def providers(programme, make_actor):
    department = make_actor(Kind.DEPARTMENT)
    first = accredited_provider(programme, name="Atelier de Mende")
    second = accredited_provider(programme, name="Bus numérique")
    redeem_directly(assigned_passes(programme, department), first)
    redeem_directly(assigned_passes(programme, department)[:2], second)
    return first, second


@pytest.fixture
def statements(operator, providers):
    return {s.organisation_id: s for s in generate_statements(operator, PERIOD)}


def member_of(organisation) -> Client:
    return logged_in(MembershipFactory(organisation=organisation).user)


def test_the_operator_lists_all_with_totals(operator, statements):
    page = logged_in(operator.user).get(LIST)
    assert page.status_code == 200
    text = plain(page)
    assert "Relevés de remboursement" in text
    assert "2 relevés : 7 pass, 70\u00a0€ au total." in text
    assert "Atelier de Mende" in text
    assert "Bus numérique" in text
    assert "Générer les relevés du mois" in text
    assert "Aucun relevé validé à virer pour l'instant." in text


def test_the_list_takes_a_constant_number_of_queries(programme, make_actor, operator, statements):
    client = logged_in(operator.user)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    few = len(queries)
    department = make_actor(Kind.DEPARTMENT)
    for name in ("Atelier C", "Atelier D"):
        redeem_directly(
            assigned_passes(programme, department)[:1], accredited_provider(programme, name=name)
        )
    for statement in generate_statements(operator, PERIOD):
        validate_statement(operator, statement)
    with CaptureQueriesContext(connection) as queries:
        assert "4 relevés" in plain(client.get(LIST))
    assert len(queries) == few


def test_filters(operator, statements, providers):
    validate_statement(operator, statements[providers[0].pk])
    client = logged_in(operator.user)
    text = plain(client.get(LIST, {"status": "validated"}))
    assert "1 relevé correspondant aux filtres : 5 pass, 50\u00a0€ au total." in text
    links = re.findall(r'href="/espace/releves/([0-9]+)/"', text_html(client, status="validated"))
    assert links == [str(statements[providers[0].pk].pk)]
    assert "2 relevés correspondant" in plain(client.get(LIST, {"period": PERIOD}))


def test_a_provider_sees_only_its_own(statements, providers):
    first, second = providers
    client = member_of(second)
    text = plain(client.get(LIST))
    assert "Mes relevés" in text
    assert "1 relevé : 2 pass, 20\u00a0€ au total." in text
    assert "Générer les relevés" not in text
    theirs = statements[first.pk]
    assert client.get(reverse("www:statement", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("www:statement_pdf", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("www:statement_csv", args=[theirs.pk])).status_code == 404
    mine = statements[second.pk]
    page = client.get(reverse("www:statement", args=[mine.pk]))
    assert page.status_code == 200
    assert "Valider le relevé" not in plain(page)
    csv = client.get(reverse("www:statement_csv", args=[mine.pk]))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content.decode("utf-8-sig").splitlines()[-1] == "Total (2 pass);;;;20,00"
    pdf = client.get(reverse("www:statement_pdf", args=[mine.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT])
def test_other_roles_are_refused(make_actor, statements, kind):
    client = logged_in(make_actor(kind).user)
    statement = next(iter(statements.values()))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("www:statement", args=[statement.pk])).status_code == 403
    assert client.post(reverse("www:statement_generate"), {"period": PERIOD}).status_code == 403


def test_a_provider_cannot_change_a_statement(statements, providers):
    client = member_of(providers[0])
    statement = statements[providers[0].pk]
    assert client.post(reverse("www:statement_validate", args=[statement.pk])).status_code == 403
    assert client.post(reverse("www:statement_generate"), {"period": PERIOD}).status_code == 403
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT


def test_generate_confirms(operator, providers):
    response = logged_in(operator.user).post(
        reverse("www:statement_generate"), {"period": PERIOD}, follow=True
    )
    assert Statement.objects.count() == 2
    label = month_label(TODAY.replace(day=1))
    assert (
        f"Relevés de {label} établis ou complétés (2) : Atelier de Mende, Bus numérique."
        in plain(response)
    )
    again = logged_in(operator.user).post(
        reverse("www:statement_generate"), {"period": PERIOD}, follow=True
    )
    assert f"Aucun pass encaissé à relever pour {label} : aucun relevé établi." in plain(again)


def test_generate_refuses_a_month_not_offered(operator, providers):
    response = logged_in(operator.user).post(
        reverse("www:statement_generate"), {"period": "2099-01"}
    )
    assert response.status_code == 200
    assert field_error(response, "period") == "Choisissez l'un des mois proposés."
    assert Statement.objects.count() == 0


def test_validate_then_pay_with_confirmations(operator, statements, providers):
    client = logged_in(operator.user)
    statement = statements[providers[0].pk]
    url = reverse("www:statement", args=[statement.pk])
    assert "Valider le relevé" in plain(client.get(url))
    page = client.post(reverse("www:statement_validate", args=[statement.pk]), follow=True)
    assert "de Atelier de Mende validé (50\u00a0€)" in plain(page)
    assert "Enregistrer le paiement" in plain(page)

    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    refused = client.post(
        reverse("www:statement_pay", args=[statement.pk]),
        {"paid_on": tomorrow, "reference": "VIR-1"},
    )
    assert field_error(refused, "paid_on") == "La date du paiement ne peut pas être dans le futur."
    missing = client.post(
        reverse("www:statement_pay", args=[statement.pk]),
        {"paid_on": TODAY.isoformat(), "reference": ""},
    )
    assert field_error(missing, "reference").startswith("Indiquez la référence du paiement")
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.VALIDATED

    paid = client.post(
        reverse("www:statement_pay", args=[statement.pk]),
        {"paid_on": TODAY.isoformat(), "reference": "VIR-2026-7"},
        follow=True,
    )
    assert "enregistré (50\u00a0€) : ses 5 pass sont remboursés." in plain(paid)
    assert "référence VIR-2026-7" in plain(paid)
    assert set(
        Pass.objects.filter(redemptions__statement=statement).values_list("status", flat=True)
    ) == {"reimbursed"}


def test_validate_without_bank_details_explains(programme, make_actor, operator):
    provider = accredited_provider(programme, bank=False)
    redeem_directly(assigned_passes(programme, make_actor(Kind.DEPARTMENT)), provider)
    [statement] = generate_statements(operator, PERIOD)
    page = logged_in(operator.user).post(
        reverse("www:statement_validate", args=[statement.pk]), follow=True
    )
    assert "n'a pas enregistré ses coordonnées bancaires" in plain(page)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT


def test_sepa_download(programme, operator, statements, providers):
    programme.payer_name = "Département de la Lozère"
    programme.payer_iban = PAYER_IBAN
    programme.payer_bic = PAYER_BIC
    programme.save()
    for statement in statements.values():
        validate_statement(operator, statement)
    client = logged_in(operator.user)
    assert "Télécharger le virement SEPA" in plain(client.get(LIST))
    response = client.post(
        reverse("www:statement_sepa"),
        {
            "statements": [str(s.pk) for s in statements.values()],
            "execution_date": TODAY.isoformat(),
        },
    )
    assert response["Content-Type"] == "application/xml"
    assert "virement-sepa" in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    amounts = sorted(e.text for e in root.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns))
    assert amounts == ["20.00", "50.00"]


def test_sepa_without_payer_or_choice_explains(operator, statements):
    for statement in statements.values():
        validate_statement(operator, statement)
    client = logged_in(operator.user)
    none_chosen = client.post(reverse("www:statement_sepa"), {"execution_date": TODAY.isoformat()})
    assert field_error(none_chosen, "statements") == "Choisissez au moins un relevé validé."
    no_payer = client.post(
        reverse("www:statement_sepa"),
        {
            "statements": [str(s.pk) for s in statements.values()],
            "execution_date": TODAY.isoformat(),
        },
    )
    assert no_payer.status_code == 200
    assert "Le compte payeur du programme est incomplet" in plain(no_payer)
