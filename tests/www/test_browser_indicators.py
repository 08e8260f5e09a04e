"""The dashboards of the Département, the operator and the funder, and « Indicateurs », in
Debian's Chromium: at desktop width and at 390 px (screenshots, axe), with JavaScript off
(filters, « Voir les données du graphique »), with the keyboard."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from passnum.organisations.enums import OrganisationKind
from passnum.territories.services import load_communes
from tests.factories import MembershipFactory
from tests.reporting.test_indicators import build
from tests.www import test_browser as ui
from tests.www.test_browser import (
    CHROMIUM_ARGS,  # noqa: F401 (the module's skip when Chromium is missing comes with it)
    REPORT_CSP,
    SCREENS,
    Journal,
    describe,
    log_in,
    member,
    serious_violations,
)

# The fixtures of tests/www/test_browser.py: Chromium once per module, a page per test.
browser, page = ui.browser, ui.page

pytestmark = pytest.mark.browser

Kind = OrganisationKind
WIDTHS = [(1280, "bureau"), (390, "mobile")]


@pytest.fixture
def members(transactional_db):
    """A Département, an operator and a funder of a programme with a year of activity."""
    department = member(Kind.DEPARTMENT, "Département de la Lozère — DTIP")
    programme = department.organisation.programme
    load_communes("48")
    build(programme, seed=11, people=25)

    def of(kind, name):
        return MembershipFactory(
            organisation__programme=programme, organisation__kind=kind, organisation__name=name
        )

    return {
        Kind.DEPARTMENT: department,
        Kind.OPERATOR: of(Kind.OPERATOR, "Lozère Développement"),
        Kind.FUNDER: of(Kind.FUNDER, "État — Préfecture de la Lozère"),
    }


def no_console_errors(page):
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


def check_charts_fit(page):
    """Every chart is as wide as its box (it scales) and has its table beside it."""
    charts = page.locator(".passnum-chart")
    assert charts.count() >= 2
    for i in range(charts.count()):
        chart = charts.nth(i)
        svg = chart.locator("svg[role=img]")
        expect(svg).to_have_count(1)
        assert svg.get_attribute("viewBox")
        box = chart.locator(".passnum-chart__drawing").bounding_box()
        drawn = svg.bounding_box()
        assert (
            drawn["width"] <= box["width"] + 1
            or chart.locator(".passnum-chart__drawing--columns").count()
        )
        expect(chart.locator("details table caption")).to_have_count(1)
    # Nothing wider than the window but the scrolling boxes.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"La page déborde de {overflow} px"


@pytest.mark.parametrize("kind", [Kind.DEPARTMENT, Kind.OPERATOR, Kind.FUNDER])
@pytest.mark.parametrize(("width", "name"), WIDTHS)
def test_dashboards_with_screenshots(page, live_server, members, kind, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, members[kind].user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    funnel = page.get_by_role("heading", name="Des pass en stock aux pass remboursés")
    expect(funnel).to_be_visible()
    expect(
        page.get_by_role("heading", name="Chéquiers prescrits et pass utilisés, mois par mois")
    ).to_be_visible()
    expect(page.locator("#a-faire")).to_have_count(0 if kind == Kind.FUNDER else 1)
    check_charts_fit(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"tableau-de-bord-{kind}-{name}.png", full_page=True)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    no_console_errors(page)


@pytest.mark.parametrize(("width", "name"), WIDTHS)
def test_indicators_page_with_screenshots(page, live_server, members, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, members[Kind.FUNDER].user.username)
    page.goto("/espace/indicateurs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs du programme")
    expect(page.locator("svg#carte circle.passnum-map-circle").first).to_be_visible()
    check_charts_fit(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"indicateurs-{name}.png", full_page=True)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    no_console_errors(page)

    # A wrong date: a French message, the fields kept, no figures; still accessible.
    page.goto("/espace/indicateurs/?from=2026-02-30&provider_id=%C2%B2")
    expect(page.locator("#erreurs")).to_contain_text("n'est pas une date valide")
    expect(page.locator("#erreurs")).to_contain_text("n'est pas une structure de médiation")
    expect(page.locator(".passnum-chart")).to_have_count(0)
    page.screenshot(path=SCREENS / f"indicateurs-erreur-{name}.png", full_page=True)
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_filters_and_data_tables_work_without_javascript(browser, live_server, members):
    """No JavaScript: the filters are a plain GET form, typed and sent with the keyboard; the
    address keeps them; « Voir les données du graphique » opens with Enter."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    context.add_init_script(REPORT_CSP)
    page = context.new_page()
    page.journal = Journal(page)
    try:
        log_in(page, members[Kind.DEPARTMENT].user.username)
        expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
        page.get_by_role("link", name="Indicateurs", exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs du programme")

        page.locator("#id_from").fill("2026-03-01")  # the input's order of day and month
        # follows the browser's language: fill() is the same everywhere
        page.locator("#id_public").select_option("rsa")
        page.get_by_role("button", name="Afficher").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        query = parse_qs(urlsplit(page.url).query)
        assert query["from"] == ["2026-03-01"]
        assert query["public"] == ["rsa"]
        expect(page.locator("#perimetre")).to_contain_text("Depuis le 1 mars 2026")
        expect(page.locator("#perimetre")).to_contain_text("public : Bénéficiaire du rSa")
        expect(page.locator("#id_public")).to_have_value("rsa")

        # The address can be shared: opened again, the same filters and figures.
        shared = page.url
        figures = page.locator("#chiffres-cles + ul").inner_text()
        page.goto(shared)
        assert page.locator("#chiffres-cles + ul").inner_text() == figures

        funnel = page.locator("#entonnoir-bloc")
        table = funnel.locator("details table")
        expect(table).to_be_hidden()
        funnel.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(table).to_be_visible()
        expect(table.locator("caption")).to_have_text("Pass à chaque étape")
        expect(table.locator("tbody tr")).to_have_count(6)
        assert re.search(r"Attribués \(hors annulés\)\s+\d", table.inner_text())
        no_console_errors(page)
    finally:
        context.close()
