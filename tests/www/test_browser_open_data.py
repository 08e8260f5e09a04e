"""« Données ouvertes » in Debian's Chromium: reached from the public menu, the month chosen
with the keyboard, with JavaScript and without, accessible (axe), pictured at desktop width and
at 390 px; the CSV link serves the file."""

from unittest import mock

import pytest
from playwright.sync_api import expect

from passnum.territories.services import load_communes
from tests.factories import ProgrammeFactory
from tests.reporting.opendata_data import TODAY, build_activity
from tests.www import test_browser as base
from tests.www.test_browser import SCREENS, describe, serious_violations

# The fixtures of the browser tests (Chromium, a page with its journal).
browser, page = base.browser, base.page

pytestmark = pytest.mark.browser

WIDTHS = {"bureau": 1280, "telephone": 390}


@pytest.fixture
def lozere(transactional_db):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        load_communes("48")
        programme = ProgrammeFactory(name="Pass numérique Lozère 2026-2028")
        build_activity(programme, people=30)
        yield programme


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_open_data_page(page, live_server, lozere, screen):
    page.set_viewport_size({"width": WIDTHS[screen], "height": 900})
    page.goto("/")
    if screen == "telephone":
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Données ouvertes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données ouvertes")
    expect(page.get_by_role("table").first).to_contain_text("Bénéficiaire du rSa")

    # The month chosen with the keyboard: the select, then Enter on the button.
    page.get_by_label("Mois détaillé par commune").select_option("2026-02")
    page.get_by_role("button", name="Afficher ce mois").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/donnees-ouvertes/?mois=2026-02")
    detail = page.get_by_role(
        "table", name="Activité par commune de résidence et par public, février 2026"
    )
    expect(detail).to_contain_text("Mende (48095)")

    violations = serious_violations(page)
    assert not violations, describe(violations)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"donnees-ouvertes-{screen}.png", full_page=True)
    journal = page.journal
    assert not journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(journal.errors)

    # The CSV link serves the file.
    href = page.get_by_role("link", name="Télécharger le fichier CSV").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.text().startswith("programme,mois,niveau,code_geo")


def test_open_data_page_without_javascript(browser, live_server, lozere):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/donnees-ouvertes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Données ouvertes")
    page.get_by_label("Mois détaillé par commune").select_option("2026-02")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher ce mois").click()
    expect(
        page.get_by_role("heading", name="Par commune de résidence, février 2026")
    ).to_be_visible()
    # a month that is not published: a French message, the latest month shown
    page.goto("/donnees-ouvertes/?mois=%C2%B2")
    expect(page.get_by_role("alert")).to_contain_text("Ce mois n'est pas publié")
    expect(page.get_by_role("heading", name="Par commune de résidence, mai 2026")).to_be_visible()
    context.close()
