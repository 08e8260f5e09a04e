"""Browser tests: Debian's Chromium driven by Playwright (sync API) against the live server."""

import os
import re
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from passnum.beneficiaries.models import Beneficiary
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes.services import generate_passes
from passnum.programmes.enums import FunderKind
from passnum.referrals.models import Referral
from passnum.referrals.services import prescribe
from passnum.territories.services import load_communes
from tests.factories import (
    PASSWORD,
    FunderFactory,
    MembershipFactory,
    ProgrammeFactory,
    ProviderPlaceFactory,
    ReferralFactory,
)

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


# Orientation and prescription pages (issue « 2/6 »).


def tab_to(page, locator, most=8):
    """Press Tab until ``locator`` has the focus (a date input holds several stops)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab n'atteint pas {locator}")


def lozere_programme():
    programme = ProgrammeFactory()
    load_communes("48")
    generate_passes(programme, 20)
    return programme


def test_referrer_orients_with_the_keyboard_then_the_department_prescribes(
    page, browser, live_server, transactional_db
):
    programme = lozere_programme()
    referrer = MembershipFactory(
        organisation__programme=programme,
        organisation__kind=OrganisationKind.REFERRER,
        organisation__name="Mission Locale Lozère",
    )
    department = MembershipFactory(
        organisation__programme=programme,
        organisation__kind=OrganisationKind.DEPARTMENT,
        organisation__name="Département de la Lozère",
    )
    log_in(page, referrer.user.username)
    page.goto("/espace/orientations/nouvelle/")

    page.get_by_label("Prénom").focus()
    page.keyboard.type("Jeanne")
    tab_to(page, page.get_by_label("Nom", exact=True))
    page.keyboard.type("Durand")
    tab_to(page, page.get_by_label("Date de naissance"))
    page.keyboard.type("05051980")  # day = month: the same in every browser's field order
    tab_to(page, page.get_by_label("Commune de résidence"))
    page.keyboard.type("Mende")
    tab_to(page, page.get_by_label("Courriel"))
    page.keyboard.type("jeanne.durand@exemple.fr")
    tab_to(page, page.get_by_label("Téléphone"))
    page.keyboard.type("04 66 00 00 00")
    notice = page.get_by_label("J'ai remis la notice d'information à la personne")
    tab_to(page, notice)  # the notice date keeps today
    page.keyboard.press("Space")
    expect(notice).to_be_checked()
    rsa = page.get_by_label("Bénéficiaire du rSa")
    tab_to(page, rsa)
    page.keyboard.press("Space")
    need = page.get_by_label("Maîtrise des outils numériques du quotidien")
    tab_to(page, need)
    page.keyboard.press("Space")
    expect(need).to_be_checked()
    tab_to(page, page.get_by_label("Commentaire"), most=12)
    page.keyboard.type("Veut suivre la scolarité de ses enfants.")
    tab_to(page, page.get_by_role("button", name="Orienter la personne"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Jeanne Durand")
    expect(page.locator("#contenu")).to_contain_text("enregistrée pour Jeanne Durand")
    expect(page.locator("#contenu")).to_contain_text("rang 1")
    assert not page.journal.errors, page.journal.errors
    person = Beneficiary.objects.get()
    assert person.birth_date == date(1980, 5, 5)
    assert person.commune.name == "Mende"
    assert person.email == "jeanne.durand@exemple.fr"
    assert person.notice_given_on == timezone.localdate()
    assert Referral.objects.get().needs == ["outils_quotidien"]

    # The Département finds the person in its queue and prescribes a checkbook.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    instructor = context.new_page()
    log_in(instructor, department.user.username)
    instructor.goto("/espace/file/")
    expect(instructor.locator("#contenu")).to_contain_text("1 orientation en attente")
    instructor.get_by_role("link", name="Jeanne Durand").click()
    instructor.get_by_role("button", name="Prescrire un chéquier").focus()
    with instructor.expect_navigation():
        instructor.keyboard.press("Enter")
    expect(instructor.locator("#contenu")).to_contain_text(
        re.compile(r"Chéquier n° 1 attribué à Jeanne Durand : 5 pass valables jusqu'au \d\d/")
    )
    instructor.get_by_role("link", name="Voir le chéquier").click()
    expect(instructor.get_by_role("heading", level=1)).to_have_text("Chéquier n° 1")
    expect(instructor.locator(".passnum-qr svg")).to_have_count(5)
    context.close()


@pytest.fixture
def prescribed(transactional_db):
    """A Département member, a prescribed referral and a pending one, a place nearby."""
    programme = lozere_programme()
    department = MembershipFactory(
        organisation__programme=programme,
        organisation__kind=OrganisationKind.DEPARTMENT,
        organisation__name="Département de la Lozère",
    )
    ProviderPlaceFactory(organisation__programme=programme, name="France Services Mende")
    actor = Actor(department)
    referral = ReferralFactory(
        beneficiary__programme=programme, publics=["rsa"], comment="Première demande."
    )
    checkbook = prescribe(actor, referral).checkbook
    ReferralFactory(beneficiary__programme=programme, publics=["senior"])
    return department, referral, checkbook


@pytest.mark.parametrize(
    "target", ["form", "form with errors", "list", "queue", "referral", "checkbook"]
)
def test_orientation_pages_are_accessible(page, live_server, prescribed, target):
    department, referral, checkbook = prescribed
    log_in(page, department.user.username)
    path = {
        "form": "/espace/orientations/nouvelle/",
        "form with errors": "/espace/orientations/nouvelle/",
        "list": "/espace/orientations/",
        "queue": "/espace/file/",
        "referral": f"/espace/orientations/{referral.pk}/",
        "checkbook": f"/espace/chequiers/{checkbook.pk}/",
    }[target]
    page.goto(path)
    heading = {
        "list": "Orientations du programme",
        "queue": "File d'attente",
        "referral": str(referral.beneficiary),
        "checkbook": f"Chéquier n° {checkbook.number}",
    }.get(target, "Orienter une personne")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if target == "form with errors":
        with page.expect_navigation():
            page.get_by_role("button", name="Orienter la personne").click()
        expect(page.locator("#erreurs")).to_be_visible()
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


# The public pages printed on the checkbook (« Vérifier mes pass », « Où utiliser mes pass »).


def printed_code(checkbook) -> tuple[str, str]:
    """(serial, code as printed) of the checkbook's first pass."""
    from passnum.passes import codes, keys

    first = checkbook.passes.order_by("serial").first()
    return first.serial, codes.display(keys.decrypt(first.code_encrypted))


@pytest.mark.parametrize(
    "target",
    ["check", "check result", "check error", "where", "where results", "where error"],
)
def test_public_checkbook_pages_are_accessible(page, live_server, prescribed, target):
    _department, _referral, checkbook = prescribed
    if target.startswith("check"):
        page.goto("/verifier-mes-pass/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier mes pass")
        if target != "check":
            serial, code = printed_code(checkbook)
            page.get_by_label("Code du pass").fill(code if target == "check result" else "ABCD")
            with page.expect_navigation():
                page.get_by_role("button", name="Vérifier ce pass").click()
        if target == "check result":
            expect(page.get_by_role("heading", level=2, name=f"Pass n° {serial}")).to_be_visible()
        if target == "check error":
            expect(page.locator("#erreurs")).to_be_visible()
    else:
        query = {"where": "", "where results": "?commune=Mende", "where error": "?commune=48130"}
        page.goto("/ou-utiliser-mes-pass/" + query[target])
        expect(page.get_by_role("heading", level=1)).to_have_text("Où utiliser mes pass")
        if target == "where results":
            expect(page.locator("#liste-lieux > li")).to_have_count(1)
            expect(page.locator("#lieux")).to_have_text("1 lieu habilité autour de Mende")
        if target == "where error":
            expect(page.locator("#erreurs")).to_be_visible()
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


def test_check_passes_with_the_keyboard(page, live_server, prescribed):
    _department, _referral, checkbook = prescribed
    serial, code = printed_code(checkbook)
    page.goto("/")
    # From the home page, through the main navigation, to the form.
    tab_to(
        page,
        page.locator("#navigation-principale").get_by_role("link", name="Vérifier mes pass"),
        most=20,
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier mes pass")
    field = page.get_by_label("Code du pass")
    tab_to(page, field, most=25)

    # A mistyped code: Enter submits, the error is on the field and in the summary.
    page.keyboard.type(code[:-1] + ("0" if code[-1] != "0" else "1"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#erreurs")).to_contain_text("Ce code de pass n'est pas valide")
    expect(page.locator("#id_code-desc-error")).to_contain_text("vérifiez chaque caractère")
    expect(page.get_by_label("Code du pass")).to_have_attribute("aria-invalid", "true")

    # The summary's link leads back to the field; the right code then shows the pass.
    tab_to(page, page.locator("#erreurs").get_by_role("link", name="Code du pass"), most=25)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code du pass")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(code.lower())
    tab_to(page, page.get_by_role("button", name="Vérifier ce pass"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    result = page.locator("#resultat-pass")
    expect(result.get_by_role("heading", level=2)).to_have_text(f"Pass n° {serial}")
    expect(result).to_contain_text("Utilisable")
    expect(result).to_contain_text("Votre chéquier contient encore 5 pass utilisables")
    assert checkbook.beneficiary.last_name not in page.content()
    assert not page.journal.errors, page.journal.errors


# « Encaisser des pass » (issue « 3/6 »).


@pytest.fixture
def provider_member(prescribed):
    """A member of the accredited provider of ``prescribed`` (its place accredits it)."""
    from passnum.providers.models import Place

    organisation = Place.objects.get(name="France Services Mende").organisation
    return MembershipFactory(organisation=organisation)


def test_provider_redeems_with_the_keyboard(page, live_server, prescribed, provider_member):
    from passnum.passes import codes, keys

    _department, _referral, checkbook = prescribed
    passes = list(checkbook.passes.order_by("serial"))
    typed = [codes.display(keys.decrypt(p.code_encrypted)) for p in passes[:2]]
    log_in(page, provider_member.user.username)
    page.goto("/espace/encaisser/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Encaisser des pass")
    violations = serious_violations(page)
    assert not violations, describe(violations)

    # Two hours; the first code lower case, the second mistyped.
    page.get_by_label("Durée de la séance").select_option("120")
    page.get_by_label("Utilisation sécurisée du numérique").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Utilisation sécurisée du numérique")).to_be_checked()
    tab_to(page, page.get_by_label("Code du pass 1"), most=40)
    page.keyboard.type(typed[0].lower())
    tab_to(page, page.get_by_label("Code du pass 2"), most=4)
    page.keyboard.type(typed[1][:-1] + ("0" if typed[1][-1] != "0" else "1"))
    # « Ajouter un code » (shown by the script) adds a sixth field and gives it the focus.
    add = page.get_by_role("button", name="Ajouter un code")
    expect(add).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("champs de code"))).to_have_count(0)
    # no camera here: no « Scanner » button
    expect(page.get_by_role("button", name=re.compile("Scanner"))).to_have_count(0)
    add.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code du pass 6")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Refused, nothing recorded, the error on the second field.
    expect(page.locator("#erreurs")).to_contain_text("Aucun pass n'a été encaissé")
    expect(page.locator("#id_code_2-desc-error")).to_contain_text("Code mal saisi")
    expect(page.get_by_label("Code du pass 2")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Code du pass 1")).to_have_value(typed[0].lower())
    violations = serious_violations(page)
    assert not violations, describe(violations)

    field = page.get_by_label("Code du pass 2")
    field.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(typed[1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Séance du")
    expect(page.locator("body")).to_contain_text(
        f"2 pass encaissés pour la séance du {timezone.localdate():%d/%m/%Y} : "
        f"{passes[0].serial}, {passes[1].serial}"
    )
    violations = serious_violations(page)
    assert not violations, describe(violations)
    page.goto("/espace/seances/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes séances")
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert checkbook.beneficiary.last_name not in page.content()
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


# A camera and BarcodeDetector that read one QR code (headless Chromium has neither).
FAKE_SCANNER = """
window.BarcodeDetector = class {
  constructor(options) { this.options = options; }
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() { return Promise.resolve([{ rawValue: "%s" }]); }
};
navigator.mediaDevices.enumerateDevices = () =>
  Promise.resolve([{ kind: "videoinput", deviceId: "camera", label: "" }]);
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.width = 16;
  canvas.height = 16;
  canvas.getContext("2d").fillRect(0, 0, 16, 16);
  return Promise.resolve(canvas.captureStream());
};
"""


def test_scanning_fills_the_field(browser, live_server, prescribed, provider_member):
    from passnum.passes import codes, keys

    _department, _referral, checkbook = prescribed
    code = codes.display(keys.decrypt(checkbook.passes.order_by("serial").first().code_encrypted))
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.add_init_script(FAKE_SCANNER % code)
    page = context.new_page()
    page.journal = Journal(page)
    log_in(page, provider_member.user.username)
    page.goto("/espace/encaisser/")
    expect(page.get_by_role("button", name=re.compile("^Scanner"))).to_have_count(5)
    page.get_by_role("button", name="Scanner le code du pass 3").click()
    expect(page.get_by_label("Code du pass 3")).to_have_value(code)
    expect(page.get_by_label("Code du pass 3")).to_be_focused()
    expect(page.locator(".passnum-scanner")).to_have_count(0)  # the camera is released
    page.get_by_role("button", name="Ajouter un code").click()
    expect(page.get_by_role("button", name="Scanner le code du pass 6")).to_be_visible()
    assert not page.journal.errors, page.journal.errors
    context.close()
