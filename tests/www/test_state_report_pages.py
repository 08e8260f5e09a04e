"""« Bilan pour l'État »: the operator and the funders read the report of a year or the final
one on the page and download it (PDF, XLSX); the other roles are refused; a bad year or format
gets a French message."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from passnum.organisations.enums import OrganisationKind
from passnum.reporting.indicators import indicators_for_programme
from passnum.reporting.state_report import Money, display, period_of
from tests.factories import FunderFactory, OrganisationFactory, ProgrammeFactory
from tests.reporting.test_indicators_for_the_state import enrich
from tests.www.test_misuse_page import logged_in
from tests.www.test_misuse_page import plain as plain_html

Kind = OrganisationKind
URL = reverse("www:state_report")
DOWNLOAD = reverse("www:state_report_download")


def plain(response) -> str:
    return plain_html(response).replace("\u202f", " ").replace("\u00a0", " ")


def member_of(make_actor, programme, kind):
    return logged_in(
        make_actor(kind, organisation=OrganisationFactory(programme=programme, kind=kind))
    )


@pytest.mark.parametrize("kind", [Kind.OPERATOR, Kind.FUNDER])
def test_the_page_shows_the_year_s_report(make_actor, programme, kind):
    client = member_of(make_actor, programme, kind)
    response = client.get(URL)  # the latest year of the programme begun

    assert response.status_code == 200
    page = plain(response)
    year = timezone.localdate().year
    assert f"Bilan {year} pour l'État" in page
    assert "Chiffres clés" in page
    assert "Dépense par financeur" in page
    assert f'href="{DOWNLOAD}?annee={year}&amp;format=pdf"' in response.content.decode()
    assert f'<option value="{year}" selected>Année {year}</option>' in response.content.decode()
    assert '<option value="final">Bilan final (programme entier)</option>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_other_roles_are_refused(make_actor, programme, kind):
    client = logged_in(make_actor(kind))
    for url in (URL, f"{DOWNLOAD}?annee=final&format=pdf"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Seuls le pilote et les financeurs" in plain(response)


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    for url in (URL, DOWNLOAD):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.fixture
def lozere(db, communes):
    programme = ProgrammeFactory(name="Pass numérique Lozère")
    enrich(programme, seed=51)
    other = ProgrammeFactory(name="Pass numérique Ailleurs")
    enrich(other, seed=52)
    FunderFactory(programme=other, name="Région Voisine", share_basis_points=1000)
    return programme


def test_the_final_report_s_figures_are_the_indicators(make_actor, lozere):
    client = member_of(make_actor, lozere, Kind.FUNDER)
    response = client.get(URL, {"annee": "final"})

    assert response.status_code == 200
    page = plain(response)
    fig = indicators_for_programme(lozere, today=timezone.localdate())
    assert "Bilan final pour l'État" in page
    assert "programme entier, du 1er janvier 2026 au 31 décembre 2028" in page
    assert f"Chéquiers prescrits {fig.checkbooks.prescribed}" in page
    used = display(Money(fig.used.cents)).replace("\u00a0", " ")
    assert f"Valeur des pass utilisés {used}" in page
    for use in fig.funders_used:
        assert use.funder.name in page
    assert "Région Voisine" not in page
    assert "Ailleurs" not in page
    assert "Par année du programme" in page


@pytest.mark.parametrize(("kind", "extension"), [(Kind.OPERATOR, "pdf"), (Kind.FUNDER, "xlsx")])
def test_downloads(make_actor, lozere, kind, extension):
    client = member_of(make_actor, lozere, kind)
    response = client.get(DOWNLOAD, {"annee": "2026", "format": extension})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="bilan-etat-48-2026.{extension}"'
    )
    if extension == "pdf":
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    else:
        today = timezone.localdate()
        fig = indicators_for_programme(lozere, period_of(lozere, 2026, today), today=today)
        sheet = load_workbook(io.BytesIO(response.content))["Chiffres clés"]
        summary = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
        assert summary["Pass utilisés"] == fig.used.passes


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        (URL, {"annee": "2031"}, "L'année 2031 n'est pas une année du programme (2026 à 2028)."),
        (URL, {"annee": "²⁰²⁶"}, "« ²⁰²⁶ » n'est ni une année (AAAA) ni « final »."),
        (DOWNLOAD, {"annee": "2031", "format": "pdf"}, "n'est pas une année du programme"),
        (DOWNLOAD, {"annee": "", "format": "pdf"}, "Choisissez une année du programme"),
        (DOWNLOAD, {"annee": "final", "format": "docx"}, "Format inconnu « docx »"),
        (DOWNLOAD, {"annee": "final"}, "choisissez pdf ou xlsx"),
    ],
)
def test_bad_parameters_get_a_french_message(make_actor, programme, url, query, message):
    client = member_of(make_actor, programme, Kind.OPERATOR)
    response = client.get(url, query)

    assert response.status_code == 422
    assert message in plain(response)
    assert 'aria-describedby="annee-erreur"' in response.content.decode()
    assert "Télécharger le bilan" not in plain(response)


def test_the_navigation_and_the_dashboards_link_to_it(make_actor, programme):
    for kind in (Kind.OPERATOR, Kind.FUNDER):
        dashboard = member_of(make_actor, programme, kind).get(reverse("www:dashboard"))
        assert f'href="{URL}"' in dashboard.content.decode()
        assert "Bilan pour l'État" in plain(dashboard)
    referrer = member_of(make_actor, programme, Kind.REFERRER).get(reverse("www:dashboard"))
    assert URL not in referrer.content.decode()


@pytest.mark.parametrize("people", [2, 14])
def test_the_page_s_queries_do_not_grow(
    make_actor, db, communes, people, django_assert_max_num_queries
):
    from tests.reporting.test_indicators import build

    programme = ProgrammeFactory(name=f"Programme {people}")
    build(programme, seed=60 + people, people=people)
    client = member_of(make_actor, programme, Kind.OPERATOR)
    with django_assert_max_num_queries(22):
        response = client.get(URL, {"annee": "final"})
    assert response.status_code == 200
