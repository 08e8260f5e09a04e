"""« Mon compte » (/mon-compte/): change one's password (the session stays, the API tokens are
revoked and the page says so) and revoke one's API tokens."""

import pytest
from django.test import Client
from django.urls import reverse

from passnum.accounts.models import ApiToken, Revocation
from passnum.organisations.enums import OrganisationKind
from tests.conftest import ROLES, token_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory

URL = "/mon-compte/"
NEW_PASSWORD = "Un-nouveau-mot-de-passe-42"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def works(token: str) -> bool:
    api = Client(headers={"Authorization": f"Bearer {token}"})
    return api.get("/api/v1/me").status_code == 200


def change(client, old=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        URL,
        {"old_password": old, "new_password1": new, "new_password2": confirm or new},
        follow=True,
    )


def test_the_address_is_mon_compte():
    assert reverse("www:account") == URL


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("kind", ROLES)
def test_every_signed_in_user_has_the_page_and_the_header_link(make_actor, kind):
    actor = make_actor(kind)
    client = logged_in(actor.user)
    html = client.get(reverse("www:dashboard")).content.decode()
    assert f'href="{URL}"' in html
    assert "Mon compte" in html
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Mon compte</h1>" in html
    assert f'href="{URL}" aria-current="page">Mon compte</a>' in html
    assert actor.user.username in html
    assert "Ancien mot de passe" in html
    assert "Aucun jeton d'API actif." in html


def test_a_user_without_an_active_membership_also_has_the_page(db):
    user = UserFactory()
    client = logged_in(user)
    assert client.get(URL).status_code == 200
    assert f'href="{URL}"' in client.get(URL).content.decode()


def test_changing_the_password_keeps_the_session_and_revokes_the_tokens(client, make_actor):
    actor = make_actor(OrganisationKind.PROVIDER)
    keys = [token_for(client, actor.user.username) for _ in range(2)]
    browser = logged_in(actor.user)
    response = change(browser)
    assert response.redirect_chain == [(URL, 302)]
    html = response.content.decode()
    assert "Votre mot de passe a été modifié." in html
    assert "2 jetons d&#x27;API ont été révoqués" in html
    actor.user.refresh_from_db()
    assert actor.user.check_password(NEW_PASSWORD)
    # still signed in
    assert browser.get(reverse("www:dashboard")).status_code == 200
    for key in keys:
        assert not works(key)
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {Revocation.PASSWORD}


def test_other_sessions_are_signed_out(make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    other = logged_in(actor.user)
    change(logged_in(actor.user))
    assert other.get(reverse("www:dashboard")).status_code == 302


def test_one_token_is_told_in_the_singular(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    token_for(client, actor.user.username)
    html = change(logged_in(actor.user)).content.decode()
    assert "Votre jeton d&#x27;API a été révoqué" in html


@pytest.mark.parametrize(
    ("old", "new", "confirm", "message"),
    [
        ("faux", NEW_PASSWORD, None, "Votre ancien mot de passe est incorrect."),
        (PASSWORD, NEW_PASSWORD, "Autre-chose-42", "Les deux mots de passe ne correspondent pas."),
        (PASSWORD, "court", None, "Ce mot de passe est trop court."),
        (PASSWORD, "", None, "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    client, make_actor, old, new, confirm, message
):
    actor = make_actor(OrganisationKind.REFERRER)
    key = token_for(client, actor.user.username)
    response = change(logged_in(actor.user), old, new, confirm)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html
    assert 'id="erreurs"' in html
    assert 'aria-invalid="true"' in html
    actor.user.refresh_from_db()
    assert actor.user.check_password(PASSWORD)
    assert works(key)


def test_guessing_the_old_password_counts_as_failed_logins(make_actor, settings):
    """A stolen session cannot try passwords here without limit: these are failed logins."""
    actor = make_actor(OrganisationKind.REFERRER)
    browser = logged_in(actor.user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert change(browser, old="faux").status_code == 200
    response = change(browser, old="faux")
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert change(browser).status_code == 429  # even the right one, for now
    actor.user.refresh_from_db()
    assert actor.user.check_password(PASSWORD)


def test_the_page_lists_ones_live_tokens_only(
    client, make_actor, programme, django_assert_num_queries
):
    actor = make_actor(OrganisationKind.PROVIDER)
    other = MembershipFactory(
        user=actor.user,
        organisation__programme=programme,
        organisation__kind="referrer",
        organisation__name="Mission Locale Lozère",
    )
    token_for(client, actor.user.username)
    token_for(client, actor.user.username, organisation_id=other.organisation_id)
    revoked = token_for(client, actor.user.username)
    Client(headers={"Authorization": f"Bearer {revoked}"}).post("/api/v1/auth/revoke")
    stranger = make_actor(OrganisationKind.PROVIDER, organisation=actor.organisation)
    token_for(client, stranger.user.username)
    browser = logged_in(actor.user)
    # session, user, membership, tokens
    with django_assert_num_queries(4):
        response = browser.get(URL)
    html = response.content.decode()
    assert html.count(">Révoquer<") == 2
    assert "Mission Locale Lozère" in html
    assert actor.organisation.name in html
    live = ApiToken.objects.filter(membership__user=actor.user, revoked_at__isnull=True)
    for token in live:
        assert reverse("www:account_revoke_token", args=[token.pk]) in html
    for token in ApiToken.objects.exclude(pk__in=live):
        assert reverse("www:account_revoke_token", args=[token.pk]) not in html


def test_revoke_a_token_on_the_web(client, make_actor):
    actor = make_actor(OrganisationKind.PROVIDER)
    key = token_for(client, actor.user.username)
    token = ApiToken.objects.get()
    browser = logged_in(actor.user)
    response = browser.post(reverse("www:account_revoke_token", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Le jeton d&#x27;API a été révoqué" in response.content.decode()
    assert not works(key)
    token.refresh_from_db()
    assert token.revoked_reason == Revocation.OWNER
    assert browser.get(reverse("www:account_revoke_token", args=[token.pk])).status_code == 405


@pytest.mark.parametrize("kind", ROLES)
def test_someone_elses_token_is_out_of_reach(client, make_actor, kind):
    actor = make_actor(kind, is_admin=True)
    colleague = make_actor(kind, organisation=actor.organisation)
    key = token_for(client, colleague.user.username)
    token = ApiToken.objects.get()
    response = logged_in(actor.user).post(reverse("www:account_revoke_token", args=[token.pk]))
    assert response.status_code == 404
    assert works(key)


def test_revoking_needs_a_signed_in_user(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    key = token_for(client, actor.user.username)
    token = ApiToken.objects.get()
    response = Client().post(reverse("www:account_revoke_token", args=[token.pk]))
    assert response.status_code == 302
    assert works(key)
