"""The outbox in the admin: read-only, and a secret link is never shown there."""

import pytest
from django.urls import reverse

from passnum.notifications.models import Email, EmailKind
from tests.factories import UserFactory


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def make(**fields) -> Email:
    return Email.objects.create(
        kind=EmailKind.PASSWORD_RESET,
        recipient="a@exemple.fr",
        subject="Pass numérique : choisir un nouveau mot de passe",
        next_attempt_at="2026-11-02T09:00:00+01:00",
        **fields,
    )


def test_a_secret_body_is_not_shown(superuser_client):
    email = make(
        body="https://exemple.fr/mot-de-passe/nouveau/MQ/jeton-secret/",
        secret_until="2026-11-05T09:00:00+01:00",
    )
    page = superuser_client.get(reverse("admin:notifications_email_change", args=[email.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "jeton-secret" not in html
    assert "contient un lien secret : non affiché" in html


def test_another_body_is_shown_and_nothing_can_be_changed(superuser_client):
    email = make(body="Bonjour Jeanne,")
    url = reverse("admin:notifications_email_change", args=[email.pk])
    assert "Bonjour Jeanne," in superuser_client.get(url).content.decode()
    assert superuser_client.post(url, {"status": "sent"}).status_code == 403
    email.refresh_from_db()
    assert email.status == "queued"
