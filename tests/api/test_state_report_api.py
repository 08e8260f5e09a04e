"""GET /api/v1/reports/state: the operator and the funders download the report of a year or the
final one, in PDF or XLSX; its figures are the indicators' of its period and of their programme
only; the other roles are refused; bad parameters get a French 422."""

import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from passnum.organisations.enums import OrganisationKind
from passnum.reporting.indicators import indicators_for_programme
from passnum.reporting.state_report import period_of
from tests.factories import FunderFactory, OrganisationFactory, ProgrammeFactory
from tests.reporting.test_indicators_for_the_state import enrich

Kind = OrganisationKind
URL = "/api/v1/reports/state"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Kind.REFERRER, 403),
        (Kind.DEPARTMENT, 403),
        (Kind.PROVIDER, 403),
        (Kind.OPERATOR, 200),
        (Kind.FUNDER, 200),
    ],
)
def test_who_may_download_the_report(api_as, programme, kind, status):
    client, _ = api_as(kind)
    response = client.get(URL, {"year": "final", "format": "pdf"})

    assert response.status_code == status
    if status == 403:
        assert response.json() == {
            "detail": "Seuls le pilote et les financeurs ont accès au bilan pour l'État.",
            "code": "forbidden",
        }
    else:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_without_a_token(db):
    assert Client().get(URL, {"year": "final"}).status_code == 401


@pytest.fixture
def lozere(db, communes):
    programme = ProgrammeFactory(name="Pass numérique Lozère")
    enrich(programme, seed=41)
    other = ProgrammeFactory(name="Pass numérique Ailleurs")
    enrich(other, seed=42)
    FunderFactory(programme=other, name="Région Voisine", share_basis_points=1000)
    return programme


def funder_client(api_as, programme):
    client, _ = api_as(
        Kind.FUNDER,
        organisation=OrganisationFactory(programme=programme, kind=Kind.FUNDER, name="État"),
    )
    return client


@pytest.mark.parametrize("kind", [Kind.OPERATOR, Kind.FUNDER])
def test_the_xlsx_holds_the_indicators_of_the_year(api_as, lozere, kind):
    client, _ = api_as(
        kind, organisation=OrganisationFactory(programme=lozere, kind=kind, name="Membre")
    )
    year = 2026
    response = client.get(URL, {"year": str(year), "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="bilan-etat-48-2026.xlsx"'
    today = timezone.localdate()
    fig = indicators_for_programme(lozere, period_of(lozere, year, today), today=today)
    workbook = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in workbook["Chiffres clés"].iter_rows(values_only=True)}
    assert summary["Chéquiers prescrits"] == fig.checkbooks.prescribed
    assert summary["Pass utilisés"] == fig.used.passes
    assert summary["Valeur des pass utilisés"] == fig.used.cents / 100
    assert summary["Personnes ayant reçu un chéquier"] == fig.people
    funders = [row[0] for row in workbook["Financeurs"].iter_rows(min_row=2, values_only=True)]
    assert funders == [u.funder.name for u in fig.funders_used]
    assert "Région Voisine" not in funders
    communes = list(workbook["Communes"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[4]) for r in communes] == [
        (c.insee_code, c.people, c.prescribed) for c in fig.by_commune
    ]


def test_the_final_pdf(api_as, lozere, django_assert_max_num_queries):
    client = funder_client(api_as, lozere)
    with django_assert_max_num_queries(16):  # the token, then the indicators' fixed queries
        response = client.get(URL, {"year": "final"})  # PDF by default

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bilan-etat-48-final.pdf"'
    text = re.sub(
        r"\s+",
        " ",
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace(
            "\u00a0", " "
        ),
    )
    assert "Bilan final pour l'État" in text
    assert "Pass numérique Lozère" in text
    assert "Ailleurs" not in text
    assert "Région Voisine" not in text
    fig = indicators_for_programme(lozere, today=timezone.localdate())
    assert f"Chéquiers prescrits {fig.checkbooks.prescribed}" in text


@pytest.mark.parametrize(
    ("query", "code", "detail"),
    [
        ({}, "invalid_input", "year champ obligatoire"),
        ({"year": ""}, "year_required", "Choisissez une année du programme (2026 à 2028)"),
        ({"year": "2031"}, "unknown_year", "L'année 2031 n'est pas une année du programme"),
        ({"year": "1999"}, "unknown_year", "n'est pas une année du programme"),
        ({"year": "²⁰²⁶"}, "invalid_year", "n'est ni une année (AAAA) ni « final »"),
        ({"year": "2026-01"}, "invalid_year", "n'est ni une année"),
        ({"year": "9" * 30}, "invalid_year", "n'est ni une année"),
        ({"year": "final", "format": "docx"}, "invalid_format", "Format inconnu « docx »"),
        ({"year": "final", "format": "²"}, "invalid_format", "choisissez pdf ou xlsx"),
        ({"year": "final", "format": ""}, "invalid_format", "choisissez pdf ou xlsx"),
    ],
)
@pytest.mark.parametrize("kind", [Kind.OPERATOR, Kind.FUNDER])
def test_bad_parameters_get_a_french_422(api_as, programme, query, code, detail, kind):
    client, _ = api_as(kind)
    response = client.get(URL, query)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert detail in response.json()["detail"]


def test_the_schema_states_the_documents_and_the_statuses(db):
    operation = Client().get("/api/v1/openapi.json").json()["paths"][URL]["get"]
    assert set(operation["responses"]) == {"200", "401", "403", "422"}
    assert set(operation["responses"]["200"]["content"]) == {"application/pdf", XLSX}
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["format"]["enum"] == ["pdf", "xlsx"]
    assert parameters["year"]["pattern"] == "^([0-9]{4}|final)$"
