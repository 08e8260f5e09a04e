"""The Département resolving a cross-organisation duplicate, in Debian's Chromium: the queue's
flag, the referral page with the other record, the namesake confirmed with the keyboard —
accessible (axe) and pictured at desktop width and at 390 px."""

import pytest
from playwright.sync_api import expect

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.referrals.services import prescribe
from tests.factories import BeneficiaryFactory, MembershipFactory, ReferralFactory
from tests.www import test_browser as base
from tests.www.test_browser import SCREENS, describe, log_in, lozere_programme, serious_violations

browser, page = base.browser, base.page

pytestmark = pytest.mark.browser

WIDTHS = {"bureau": 1280, "telephone": 390}


@pytest.fixture
def duplicate(transactional_db):
    """Jeanne Durand, oriented by the Mission Locale (checkbook running) and by France
    Travail (pending): the Département member, and France Travail's referral."""
    programme = lozere_programme()
    department = MembershipFactory(
        organisation__programme=programme,
        organisation__kind=OrganisationKind.DEPARTMENT,
        organisation__name="Département de la Lozère",
    )
    mission_locale, france_travail = (
        MembershipFactory(
            organisation__programme=programme,
            organisation__kind=OrganisationKind.REFERRER,
            organisation__name=name,
        ).organisation
        for name in ("Mission Locale Lozère", "France Travail Mende")
    )
    first, second = (
        ReferralFactory(
            beneficiary=BeneficiaryFactory(
                programme=programme,
                first_name="Jeanne",
                last_name="Durand",
                created_by_organisation=organisation,
            ),
            organisation=organisation,
            publics=["rsa"],
        )
        for organisation in (mission_locale, france_travail)
    )
    prescribe(Actor(department), first)
    return department, second


def assert_clean(page):
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "\n".join(page.journal.errors)


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_department_sees_and_resolves_the_duplicate(page, live_server, duplicate, screen):
    department, referral = duplicate
    page.set_viewport_size({"width": WIDTHS[screen], "height": 900})
    SCREENS.mkdir(parents=True, exist_ok=True)
    log_in(page, department.user.username)

    page.goto("/espace/file/")
    expect(page.get_by_text("Doublon possible")).to_have_count(1)
    assert_clean(page)
    page.screenshot(path=SCREENS / f"file-doublon-{screen}.png", full_page=True)

    page.goto(f"/espace/orientations/{referral.pk}/")
    expect(page.get_by_role("heading", name="Doublons possibles")).to_be_visible()
    expect(page.get_by_role("cell", name="Mission Locale Lozère", exact=True)).to_be_visible()
    assert_clean(page)
    page.screenshot(path=SCREENS / f"orientation-doublon-{screen}.png", full_page=True)

    # Prescribing without saying it is another person is refused…
    with page.expect_navigation():
        page.get_by_role("button", name="Prescrire un chéquier").click()
    expect(page.get_by_role("alert")).to_contain_text("a déjà un chéquier en cours")
    # …then, a namesake confirmed with the keyboard, accepted.
    page.get_by_label("Il s'agit d'une autre personne").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Il s'agit d'une autre personne")).to_be_checked()
    page.get_by_role("button", name="Prescrire un chéquier").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Chéquier n° 2 attribué à Jeanne Durand")
    assert_clean(page)
