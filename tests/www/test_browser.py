"""Browser tests: Debian's Chromium driven by Playwright (sync API) against the live server."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from passnum.organisations.enums import OrganisationKind
from passnum.programmes.enums import FunderKind
from tests.factories import PASSWORD, FunderFactory, MembershipFactory, ProgrammeFactory

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Chromium de Debian absent (/usr/bin/chromium) : tests navigateur ignorés.",
        allow_module_level=True,
    )

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = Path("/tmp/passnum-screens")

# Chromium reports CSP violations as console errors; this listener makes sure none is missed.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP : ${e.violatedDirective} a bloqué ${e.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journal:
    """What the page asked for and complained about."""

    def __init__(self, page):
        self.requests, self.responses, self.errors = [], {}, []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.responses.__setitem__(r.url, r.status))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.add_init_script(REPORT_CSP)
    page = context.new_page()
    page.journal = Journal(page)
    yield page
    context.close()


def member(kind, name):
    """A member of a new organisation of a programme with its two funders."""
    programme = ProgrammeFactory()
    FunderFactory(programme=programme, name="État", kind=FunderKind.STATE)
    FunderFactory(programme=programme, name="Département de la Lozère", kind=FunderKind.DEPARTMENT)
    return MembershipFactory(
        organisation__programme=programme, organisation__kind=kind, organisation__name=name
    )


def log_in(page, username, password=PASSWORD):
    """Log in with the keyboard only: type, Tab to the password, Enter to submit."""
    page.goto("/connexion/")
    page.get_by_label("Identifiant").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def operator(transactional_db):
    return member(OrganisationKind.OPERATOR, "Lozère Développement")


def test_home_page_structure_and_skip_link(page, live_server):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_title(re.compile("Pass numérique"))
    expect(page.locator(".fr-header")).to_be_visible()

    # The DSFR stylesheet is served (200) and applied (Marianne font).
    css = [url for url in page.journal.responses if url.endswith("/dsfr/dsfr.min.css")]
    assert css, page.journal.responses
    assert page.journal.responses[css[0]] == 200
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Marianne" in font

    # Every skip link points to an element of the page.
    skiplinks = page.locator(".fr-skiplinks a")
    expect(skiplinks).to_have_text(["Contenu", "Menu", "Pied de page"])
    for href in skiplinks.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        expect(page.locator(href)).to_have_count(1)

    # First Tab reaches « Contenu », Enter moves the focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Contenu", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#contenu")).to_be_focused()
    assert page.url.endswith("/#contenu")


def test_everything_comes_from_our_origin(page, live_server, operator):
    page.goto("/")
    log_in(page, operator.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")

    journal = page.journal
    foreign = [url for url in journal.requests if not url.startswith(live_server.url + "/")]
    assert not foreign, f"Requêtes hors de l'origine : {foreign}"
    failed = {url: status for url, status in journal.responses.items() if status >= 400}
    assert not failed, f"Réponses en erreur : {failed}"
    assert not journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(journal.errors)


@pytest.mark.parametrize("kind", list(OrganisationKind))
def test_keyboard_login_lands_on_dashboard(page, live_server, transactional_db, kind):
    membership = member(kind, "Mission Locale Lozère")
    log_in(page, membership.user.username)

    expect(page).to_have_url(f"{live_server.url}/espace/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    lead = page.locator("#contenu .fr-text--lead")
    expect(lead).to_have_text(f"Mission Locale Lozère — {OrganisationKind(kind).label}")


def test_wrong_password_is_refused_in_french(page, live_server, operator):
    log_in(page, operator.user.username, password="pas-le-bon")

    expect(page).to_have_url(f"{live_server.url}/connexion/")
    expect(page.locator("#contenu")).to_contain_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")


def serious_violations(page):
    violations = Axe().run(page).response["violations"]
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations):
    return "\n".join(
        f"{v['id']} ({v['impact']}) : {v['help']}\n"
        + "\n".join(f"  {n['target']} {n['html']}" for n in v["nodes"])
        for v in violations
    )


@pytest.mark.parametrize("path", ["/", "/connexion/", "/donnees-personnelles/"])
def test_public_pages_are_accessible(page, live_server, path):
    page.goto(path)
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_operator_dashboard_is_accessible(page, live_server, operator):
    log_in(page, operator.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_screenshots(page, live_server, operator):
    """Not asserted: pictures of the home page and the operator dashboard for a human eye."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    page.screenshot(path=SCREENS / "accueil.png", full_page=True)
    log_in(page, operator.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    page.screenshot(path=SCREENS / "tableau-de-bord-pilote.png", full_page=True)
