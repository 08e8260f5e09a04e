"""API tokens are revoked for good: by their owner, by a password change (whatever the path) and
by a deactivation (of the membership they act for, or of the user). Revoked tokens are kept."""

import getpass

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from passnum.accounts.models import ApiToken, Revocation
from passnum.accounts.services import actor_for_token
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.services import deactivate_membership, reactivate_membership
from tests.conftest import token_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.tasks import run_tasks

NEW_PASSWORD = "Un-nouveau-mot-de-passe-42"


def works(token: str) -> bool:
    return (
        Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").status_code == 200
    )


@pytest.fixture
def member(make_actor):
    return make_actor(OrganisationKind.PROVIDER)


@pytest.fixture
def token(client, member):
    return token_for(client, member.user.username)


def assert_revoked(reason: Revocation, *tokens):
    for api_token in ApiToken.objects.all():
        assert api_token.revoked_at is not None, api_token
        assert api_token.revoked_reason == reason
    for key in tokens:
        assert not works(key)


def test_the_lookup_is_one_query(token, django_assert_num_queries):
    with django_assert_num_queries(1):
        actor = actor_for_token(token)
    assert actor is not None


def test_a_revoked_token_no_longer_works_and_is_kept(token):
    assert works(token)
    ApiToken.objects.revoke(Revocation.OWNER)
    assert not works(token)
    assert actor_for_token(token) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_set_password_revokes_every_token_of_the_user(client, member, programme):
    other = MembershipFactory(
        user=member.user, organisation__programme=programme, organisation__kind="referrer"
    )
    first = token_for(client, member.user.username)
    second = token_for(client, member.user.username, organisation_id=other.organisation_id)
    stranger = MembershipFactory()
    untouched = token_for(client, stranger.user.username)
    member.user.set_password(NEW_PASSWORD)
    member.user.save()
    for key in (first, second):
        assert not works(key)
    assert works(untouched)
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    assert set(
        ApiToken.objects.filter(revoked_at__isnull=False).values_list("revoked_reason", flat=True)
    ) == {Revocation.PASSWORD}


def test_a_rehash_at_login_is_no_password_change(client, token, member, settings):
    """A login that upgrades the stored hash (another hasher) revokes nothing."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    member.user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    member.user.save()
    assert works(token)
    token_for(client, member.user.username)  # checks the password, rehashes it in MD5
    member.user.refresh_from_db()
    assert member.user.password.startswith("md5$")
    assert works(token)


def test_the_reset_link_revokes(client, member, token):
    from django.core import mail

    client.post(reverse("accounts:password_reset"), {"email": member.user.email})
    run_tasks()  # the email goes through the task queue
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/" in line)
    form_page = client.get(link.split("testserver", 1)[1], follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_revoked(Revocation.PASSWORD, token)


def test_the_admin_password_form_revokes(client, member, token):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member.user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)
    assert_revoked(Revocation.PASSWORD, token)


def test_the_admin_disabling_the_password_revokes(client, member, token):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member.user.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()
    assert_revoked(Revocation.PASSWORD, token)


def test_the_changepassword_command_revokes(member, token, monkeypatch):
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", member.user.username, stdout=None)
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)
    assert_revoked(Revocation.PASSWORD, token)


def test_deactivating_the_user_revokes_for_good(member, token):
    member.user.is_active = False
    member.user.save()
    assert_revoked(Revocation.USER_DEACTIVATED, token)
    member.user.is_active = True
    member.user.save()
    assert not works(token)


def test_a_reactivated_membership_does_not_revive_its_tokens(make_actor, client):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    member = MembershipFactory(organisation=admin.organisation)
    key = token_for(client, member.user.username)
    own = token_for(client, admin.user.username)
    deactivate_membership(admin, member)
    assert not works(key)
    reactivate_membership(admin, member)
    assert not works(key)
    revoked = ApiToken.objects.get(membership=member)
    assert revoked.revoked_reason == Revocation.MEMBERSHIP
    assert works(own)
    # a new token is needed, and works
    assert works(token_for(client, member.user.username))


def test_a_membership_deactivated_in_the_admin_revokes_its_tokens(member, token):
    membership = member.membership
    membership.is_active = False
    membership.save()
    membership.is_active = True
    membership.save()
    assert not works(token)
    assert ApiToken.objects.get().revoked_reason == Revocation.MEMBERSHIP


def test_only_the_tokens_of_the_deactivated_membership_die(client, member, programme):
    other = MembershipFactory(
        user=member.user, organisation__programme=programme, organisation__kind="referrer"
    )
    first = token_for(client, member.user.username, organisation_id=member.organisation.pk)
    second = token_for(client, member.user.username, organisation_id=other.organisation_id)
    other.is_active = False
    other.save()
    assert works(first)
    assert not works(second)
