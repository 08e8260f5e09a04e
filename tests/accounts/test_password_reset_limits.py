"""Password-reset emails are limited per address (silently: the answer never tells whether an
account exists) and per client (a 429 page in French), counted in the database."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passnum.accounts.throttling import RESETS_PER_ADDRESS, RESETS_PER_CLIENT
from passnum.common.models import ThrottleHit
from passnum.organisations.enums import OrganisationKind
from tests.factories import MembershipFactory
from tests.tasks import run_tasks


def ask(client, email, ip="198.51.100.1", **extra):
    """Ask for a reset link, and let the task worker deliver what was queued."""
    response = client.post(
        reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip, **extra
    )
    run_tasks()
    return response


def address(n: int) -> str:
    return f"203.0.113.{n}"


@pytest.fixture
def member(make_actor):
    return make_actor(OrganisationKind.REFERRER)


def test_emails_to_one_address_are_limited_without_telling(client, member):
    email = member.user.email
    normal = [ask(client, email, address(n)) for n in range(RESETS_PER_ADDRESS)]
    assert len(mail.outbox) == RESETS_PER_ADDRESS
    over = ask(client, email.upper(), address(50))  # whatever its case, from a fresh client
    assert len(mail.outbox) == RESETS_PER_ADDRESS  # nothing sent
    assert over.status_code == normal[0].status_code == 302
    assert over.url == normal[0].url == reverse("accounts:password_reset_done")
    # the same answer for an address no account has
    unknown = ask(client, "inconnu@exemple.fr", address(51))
    assert (unknown.status_code, unknown.url) == (over.status_code, over.url)
    # another address still gets its email, from the same client
    other = MembershipFactory().user
    ask(client, other.email, address(50))
    assert len(mail.outbox) == RESETS_PER_ADDRESS + 1
    assert mail.outbox[-1].to == [other.email]


def test_one_client_asking_too_often_gets_a_429_page(client, member):
    for n in range(RESETS_PER_CLIENT - 1):
        assert ask(client, f"personne{n}@exemple.fr", "192.0.2.9").status_code == 302
    assert ask(client, member.user.email, "192.0.2.9").status_code == 302
    assert len(mail.outbox) == 1
    response = ask(client, member.user.email, "192.0.2.9")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de demandes de réinitialisation" in html
    assert "réessayez dans une heure" in html
    assert 'role="alert"' in html
    assert len(mail.outbox) == 1
    # another client is not affected
    assert ask(client, "quelquun@exemple.fr", "192.0.2.10").status_code == 302


def test_the_limits_are_kept_hashed_in_the_database(client, member):
    ask(client, member.user.email, "192.0.2.77")
    hits = list(ThrottleHit.objects.values("scope", "key"))
    assert len(hits) == 2
    assert {hit["scope"] for hit in hits} == {"password_reset"}
    for hit in hits:
        assert member.user.email not in hit["key"]
        assert "192.0.2.77" not in hit["key"]
        assert len(hit["key"]) == 64


def test_the_limits_pass_after_an_hour(client, member):
    for n in range(RESETS_PER_ADDRESS + 1):
        ask(client, member.user.email, address(n))
    assert len(mail.outbox) == RESETS_PER_ADDRESS
    ThrottleHit.objects.update(at=timezone.now() - timedelta(minutes=61))
    ask(client, member.user.email, address(99))
    assert len(mail.outbox) == RESETS_PER_ADDRESS + 1


def test_a_malformed_address_is_explained_and_not_counted(client, db):
    response = ask(client, "pas-une-adresse")
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in response.content.decode()
    assert not ThrottleHit.objects.exists()
