"""Login limits (django-axes, web and API alike): an account is locked after repeated failures
whatever their source address, and an address after repeated failures whatever the account."""

import pytest
from django.core import mail
from django.urls import reverse

from passnum.accounts.models import ApiToken
from passnum.organisations.enums import OrganisationKind
from tests.factories import PASSWORD, MembershipFactory
from tests.tasks import run_tasks

ACCOUNT_LOCKED = (
    "Trop de tentatives de connexion infructueuses sur ce compte : réessayez dans 15 minutes "
    "ou réinitialisez votre mot de passe."
)
ADDRESS_LOCKED = (
    "Trop de tentatives de connexion infructueuses depuis votre adresse : réessayez dans "
    "15 minutes."
)


def web_login(client, username, password, ip):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def api_login(client, username, password, ip):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


LOGINS = {"web": web_login, "api": api_login}


def succeeded(via, response) -> bool:
    return response.status_code == (302 if via == "web" else 200)


def locked_message(via, response) -> str:
    assert response.status_code == 429, response.content
    if via == "api":
        assert response.json()["code"] == "too_many_attempts"
        return response.json()["detail"]
    html = response.content.decode()
    assert "Connexion temporairement bloquée" in html
    return html


def address(n: int) -> str:
    return f"203.0.113.{n}"


@pytest.fixture
def member(make_actor):
    return make_actor(OrganisationKind.REFERRER)


@pytest.mark.parametrize("via", LOGINS)
def test_failures_from_many_addresses_lock_the_account(client, member, settings, via):
    login = LOGINS[via]
    username = member.user.username
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, username, "faux", address(n))
        assert response.status_code == (200 if via == "web" else 401)
    # the last failure, from yet another address, locks the account
    response = login(client, username, "faux", address(50))
    assert ACCOUNT_LOCKED in locked_message(via, response)
    # even the right password, from a fresh address, is refused while locked
    response = login(client, username, PASSWORD, address(99))
    assert ACCOUNT_LOCKED in locked_message(via, response)
    assert not ApiToken.objects.exists()
    # other accounts are not locked, even from these addresses
    other = MembershipFactory()
    assert succeeded(via, login(client, other.user.username, PASSWORD, address(0)))


def test_web_and_api_failures_add_up(client, member, settings):
    username = member.user.username
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        (web_login if n % 2 else api_login)(client, username, "faux", address(n))
    response = api_login(client, username, "faux", address(60))
    assert ACCOUNT_LOCKED in locked_message("api", response)
    assert ACCOUNT_LOCKED in locked_message("web", web_login(client, username, PASSWORD, "::1"))


@pytest.mark.parametrize("via", LOGINS)
def test_an_address_trying_many_accounts_is_locked(client, programme, settings, via):
    login = LOGINS[via]
    per_address = settings.PASSNUM_LOGIN_FAILURES_PER_ADDRESS
    victims = [f"personne{n}" for n in range(per_address // 2 + 1)]
    failures = 0
    for username in victims:
        for _ in range(2):  # each account stays far below its own limit
            if failures < per_address:
                login(client, username, "faux", address(7))
                failures += 1
    member = MembershipFactory(organisation__programme=programme)
    response = login(client, member.user.username, PASSWORD, address(7))
    assert ADDRESS_LOCKED in locked_message(via, response)
    # the account itself is not locked: from another address it logs in
    assert succeeded(via, login(client, member.user.username, PASSWORD, address(8)))


@pytest.mark.parametrize("via", LOGINS)
def test_a_successful_login_resets_the_accounts_failures(client, member, settings, via):
    login = LOGINS[via]
    username = member.user.username
    for _ in range(2):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            assert not succeeded(via, login(client, username, "faux", address(n)))
        assert succeeded(via, login(client, username, PASSWORD, address(30)))
        client.post(reverse("accounts:logout"))


def test_logging_into_ones_own_account_resets_nobody_elses_failures(client, member, settings):
    """An attacker with an account of their own cannot clear the failures they made on
    someone else's account from the same address."""
    attacker = MembershipFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        web_login(client, member.user.username, "faux", address(9))
    assert succeeded("web", web_login(client, attacker.user.username, PASSWORD, address(9)))
    client.post(reverse("accounts:logout"))
    response = web_login(client, member.user.username, "faux", address(9))
    assert ACCOUNT_LOCKED in locked_message("web", response)


def test_a_password_reset_lifts_the_accounts_lock(client, member, settings):
    """The lockout message offers a reset: once the owner has chosen a new password (which
    proves they read the account's mail), the account is unlocked."""
    username = member.user.username
    for n in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, username, "faux", address(n))
    assert web_login(client, username, PASSWORD, address(40)).status_code == 429
    client.post(reverse("accounts:password_reset"), {"email": member.user.email})
    run_tasks()  # the email goes through the task queue
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/" in line)
    form_page = client.get(link.split("testserver", 1)[1], follow=True)
    new = "Un-nouveau-mot-de-passe-42"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert succeeded("web", web_login(client, username, new, address(40)))
