"""« Mon compte » in Debian's Chromium: reached from the header, used with the keyboard only,
accessible (axe), pictured at desktop width and at 390 px."""

import re
import secrets

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from passnum.accounts.models import ApiToken
from passnum.accounts.services import hash_token
from passnum.organisations.enums import OrganisationKind
from tests.factories import PASSWORD, MembershipFactory
from tests.www import test_browser as base
from tests.www.test_browser import SCREENS, describe, log_in, member, serious_violations, tab_to

# The fixtures of the browser tests (Chromium, a page with its journal).
browser, page = base.browser, base.page

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Un-nouveau-mot-de-passe-42"


def give_token(membership) -> ApiToken:
    return ApiToken.objects.create(
        key_hash=hash_token(secrets.token_urlsafe(32)),
        membership=membership,
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )


@pytest.fixture
def provider(transactional_db):
    """A provider member who also belongs to a referrer, with a token for each."""
    membership = member(OrganisationKind.PROVIDER, "France Services Mende")
    other = MembershipFactory(
        user=membership.user,
        organisation__programme=membership.organisation.programme,
        organisation__kind=OrganisationKind.REFERRER,
        organisation__name="Mission Locale Lozère",
    )
    give_token(membership)
    give_token(other)
    return membership


def assert_clean(page):
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


def test_change_the_password_with_the_keyboard(page, live_server, provider):
    log_in(page, provider.user.username)
    # From the header, with the keyboard.
    tab_to(page, page.locator(".fr-header__tools").get_by_role("link", name="Mon compte"), 20)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/mon-compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.locator("#jetons + p + .fr-table tbody tr")).to_have_count(2)
    assert_clean(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / "mon-compte.png", full_page=True)

    # A wrong old password: explained on the field and in the summary, nothing changes.
    tab_to(page, page.get_by_label("Ancien mot de passe"), 30)
    page.keyboard.type("pas-le-bon")
    tab_to(page, page.get_by_label(re.compile(r"^\s*Nouveau mot de passe")))
    page.keyboard.type(NEW_PASSWORD)
    tab_to(page, page.get_by_label("Confirmation du nouveau mot de passe"))
    page.keyboard.type(NEW_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#erreurs")).to_contain_text("Votre ancien mot de passe est incorrect")
    expect(page.get_by_label("Ancien mot de passe")).to_have_attribute("aria-invalid", "true")
    assert_clean(page)
    page.screenshot(path=SCREENS / "mon-compte-erreur.png", full_page=True)

    # The right one: the session stays, the tokens are revoked and the page says so.
    page.get_by_label("Ancien mot de passe").focus()
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_label(re.compile(r"^\s*Nouveau mot de passe")))
    page.keyboard.type(NEW_PASSWORD)
    tab_to(page, page.get_by_label("Confirmation du nouveau mot de passe"))
    page.keyboard.type(NEW_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Votre mot de passe a été modifié. 2 jetons d'API ont été révoqués"
    )
    expect(page.locator("#contenu")).to_contain_text("Aucun jeton d'API actif.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
    provider.user.refresh_from_db()
    assert provider.user.check_password(NEW_PASSWORD)
    assert_clean(page)


def test_revoke_a_token_with_the_keyboard(page, live_server, provider):
    log_in(page, provider.user.username)
    page.goto("/mon-compte/")
    first = ApiToken.objects.order_by("-created_at", "-pk").first()
    button = page.get_by_role("button", name=f"Révoquer le jeton n° {first.pk}")
    tab_to(page, button, 40)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Le jeton d'API a été révoqué")
    expect(page.locator("#jetons + p + .fr-table tbody tr")).to_have_count(1)
    expect(page.get_by_role("button", name=f"Révoquer le jeton n° {first.pk}")).to_have_count(0)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert_clean(page)


def test_on_a_phone(browser, live_server, provider):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.journal = base.Journal(page)
    log_in(page, provider.user.username)
    # « Mon compte » is in the mobile menu.
    page.get_by_role("button", name="Menu").click()
    menu = page.locator("#menu-mobile")
    expect(menu.get_by_role("link", name="Mon compte")).to_be_visible()
    with page.expect_navigation():
        menu.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    assert_clean(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / "mon-compte-390.png", full_page=True)
    context.close()
