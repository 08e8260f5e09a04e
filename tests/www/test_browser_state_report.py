"""« Bilan pour l'État » and « Dépenses d'ingénierie » in Debian's Chromium: each page at desktop
width and at 390 px (screenshots, axe), the report chosen and downloaded, an expense typed with
the keyboard."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passnum.organisations.enums import OrganisationKind
from passnum.programmes.models import EngineeringExpense
from passnum.territories.services import load_communes
from tests.factories import MembershipFactory, UserFactory
from tests.reporting.test_indicators import build
from tests.www import test_browser as ui
from tests.www.test_browser import SCREENS, describe, log_in, member, serious_violations

# The fixtures of tests/www/test_browser.py: Chromium once per module, a page per test.
browser, page = ui.browser, ui.page

pytestmark = pytest.mark.browser

SIZES = [(1280, "bureau"), (390, "mobile")]


@pytest.fixture
def operator(transactional_db):
    """The operator of a programme with a year of activity and two engineering expenses."""
    load_communes("48")
    operator = member(OrganisationKind.OPERATOR, "Lozère Développement")
    programme = operator.organisation.programme
    build(programme, seed=71, people=12)
    user = UserFactory(first_name="Claire", last_name="Pilote")
    for day, label, cents, supplier in (
        (date(2026, 2, 10), "Ingénierie de formation des parcours", 1_200_00, "APTIC"),
        (date(2026, 5, 4), "Affiches et dépliants", 345_60, "Imprimerie du Gévaudan"),
    ):
        EngineeringExpense.objects.create(
            programme=programme,
            spent_on=day,
            label=label,
            amount_cents=cents,
            supplier=supplier,
            reference=f"FAC-{day:%m%d}",
            created_by=user,
        )
    return operator


def check(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


@pytest.mark.parametrize(("width", "name"), SIZES)
def test_state_report_page_is_accessible_with_screenshots(
    page, live_server, operator, width, name
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, operator.user.username)
    if width >= 992:
        page.get_by_role("link", name="Bilan pour l'État", exact=True).first.click()
    else:  # the menu is behind the « Menu » button on small screens
        page.goto("/espace/bilan/")
    year = timezone.localdate().year
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan pour l'État")
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Bilan {year} pour l'État")
    check(page, f"bilan-etat-pilote-{name}")

    # The final report, chosen with the keyboard.
    page.get_by_label("Période du bilan").select_option("final")
    page.get_by_role("button", name="Afficher ce bilan").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text("Bilan final pour l'État")
    expect(page.get_by_role("heading", name="Par année du programme")).to_be_visible()
    check(page, f"bilan-etat-final-pilote-{name}")


def test_the_funder_downloads_the_pdf_and_the_xlsx(page, live_server, operator):
    funder = MembershipFactory(
        organisation__programme=operator.organisation.programme,
        organisation__kind=OrganisationKind.FUNDER,
        organisation__name="État — Préfecture de la Lozère",
    )
    log_in(page, funder.user.username)
    page.get_by_role("link", name="Consulter et télécharger le bilan").click()
    for button, suffix in (("en PDF", "pdf"), ("en tableur (XLSX)", "xlsx")):
        with page.expect_download() as download:
            page.get_by_role("link", name=f"Télécharger le bilan {button}").click()
        year = timezone.localdate().year
        assert download.value.suggested_filename == f"bilan-etat-48-{year}.{suffix}"
    check(page, "bilan-etat-financeur-bureau")


@pytest.mark.parametrize(("width", "name"), SIZES)
def test_engineering_page_is_accessible_with_screenshots(page, live_server, operator, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, operator.user.username)
    if width >= 992:
        page.get_by_role("link", name="Dépenses d'ingénierie").click()
    else:
        page.goto("/espace/ingenierie/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dépenses d'ingénierie")
    expect(page.locator("#depenses tbody tr")).to_have_count(2)
    check(page, f"ingenierie-pilote-{name}")


def test_an_expense_typed_with_the_keyboard(page, live_server, operator):
    log_in(page, operator.user.username)
    page.goto("/espace/ingenierie/")
    page.get_by_label("Date de la dépense").fill("2026-03-15")
    page.get_by_label("Objet").focus()
    page.keyboard.type("Coordination du comité de pilotage")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Montant")).to_be_focused()
    page.keyboard.type("5 000")  # beyond what is left: refused
    page.get_by_role("button", name="Enregistrer la dépense").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#erreurs")).to_contain_text("dépasserait la part ingénierie")
    check(page, "ingenierie-refus-bureau")
    assert EngineeringExpense.objects.count() == 2

    page.get_by_label("Montant").fill("250,50")
    page.get_by_role("button", name="Enregistrer la dépense").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".fr-alert--success").first).to_contain_text(
        "Dépense « Coordination du comité de pilotage » enregistrée."
    )
    expect(page.locator("#depenses tbody tr")).to_have_count(3)
    assert EngineeringExpense.objects.get(label__startswith="Coordination").amount_cents == 250_50
