"""The outbox over the API: the operator lists the programme's emails (masked recipients, no
subject nor body) and sends a failed one again; the other roles are refused."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.organisations.enums import OrganisationKind
from tests.factories import ProgrammeFactory
from tests.tasks import run_tasks

Kind = OrganisationKind
URL = "/api/v1/emails"
START = timezone.make_aware(datetime.datetime(2026, 11, 2, 9))
ONLY_OPERATOR = {"detail": "Seul le pilote suit l'envoi des courriels.", "code": "forbidden"}


def email(programme, n=0, **fields) -> Email:
    fields = {
        "kind": EmailKind.REMINDER_BENEFICIARY,
        "recipient": f"jeanne{n}@exemple.fr",
        "subject": "Vos Pass numériques se terminent — Jeanne Durand",
        "body": "Bonjour Jeanne,",
        "status": EmailStatus.QUEUED,
        "next_attempt_at": START,
        **fields,
    }
    made = Email.objects.create(programme=programme, **fields)
    Email.objects.filter(pk=made.pk).update(created_at=START + datetime.timedelta(minutes=n))
    made.refresh_from_db()
    return made


def failed(programme, n=0, **fields) -> Email:
    return email(
        programme,
        n,
        status=EmailStatus.FAILED,
        attempts=6,
        next_attempt_at=None,
        last_error="ConnectionRefusedError: Relais refusé pour <[adresse masquée]>",
        **fields,
    )


@pytest.fixture
def operator_api(api_as):
    return api_as(Kind.OPERATOR)


def test_the_operator_lists_the_emails_masked_newest_first(operator_api, programme):
    api, _ = operator_api
    queued = email(programme, 0)
    down = failed(programme, 1, kind=EmailKind.PASSWORD_RESET)
    email(ProgrammeFactory(), 2)  # another programme's

    response = api.get(URL)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "items": [
            {
                "id": down.pk,
                "kind": "password_reset",
                "kind_label": "Nouveau mot de passe",
                "status": "failed",
                "recipient": "j•••@exemple.fr",
                "attempts": 6,
                "last_error": "ConnectionRefusedError: Relais refusé pour <[adresse masquée]>",
                "created_at": "2026-11-02T08:01:00Z",
                "next_attempt_at": None,
                "sent_at": None,
            },
            {
                "id": queued.pk,
                "kind": "reminder_beneficiary",
                "kind_label": "Rappel de fin de chéquier à la personne",
                "status": "queued",
                "recipient": "j•••@exemple.fr",
                "attempts": 0,
                "last_error": "",
                "created_at": "2026-11-02T08:00:00Z",
                "next_attempt_at": "2026-11-02T08:00:00Z",
                "sent_at": None,
            },
        ],
        "count": 2,
    }
    text = response.content.decode()
    assert "jeanne" not in text  # no address, no name, no subject, no body
    assert "Durand" not in text


def test_filter_by_status_and_paginate(operator_api, programme):
    api, _ = operator_api
    for n in range(3):
        failed(programme, n)
    email(programme, 3)

    page = api.get(URL, {"status": "failed", "limit": 2, "offset": 1}).json()

    assert page["count"] == 3
    assert [i["status"] for i in page["items"]] == ["failed", "failed"]
    assert api.get(URL, {"status": "sent"}).json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            {"status": "perdu"},
            "Statut inconnu : « perdu » (attendu : queued, sent, failed, cancelled).",
        ),
        ({"limit": 0}, "Données invalides : limit est trop petit."),
        ({"offset": "x"}, "Données invalides : offset doit être un nombre entier."),
    ],
)
def test_a_bad_filter_is_explained_in_french(operator_api, programme, query, detail):
    api, _ = operator_api
    response = api.get(URL, query)
    assert response.status_code == 422
    assert response.json()["detail"] == detail


def test_the_list_costs_three_queries_whatever_its_length(
    operator_api, programme, django_assert_num_queries
):
    """The token (with its actor), the page, the count."""
    api, _ = operator_api
    email(programme, 0)
    with django_assert_num_queries(3):
        assert api.get(URL).json()["count"] == 1
    for n in range(1, 30):
        failed(programme, n)
    with django_assert_num_queries(3):
        assert len(api.get(URL).json()["items"]) == 30


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_other_roles_cannot_list(api_as, programme, kind):
    email(programme)
    api, _ = api_as(kind)
    response = api.get(URL)
    assert response.status_code == 403
    assert response.json() == ONLY_OPERATOR


def test_anonymous_cannot_list(client, db):
    assert client.get(URL).status_code == 401


# --- Retry --------------------------------------------------------------------------------


def test_the_operator_sends_a_failed_email_again(operator_api, programme):
    api, _ = operator_api
    down = failed(programme, kind=EmailKind.PASSWORD_RESET)

    response = api.post(f"{URL}/{down.pk}/retry")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["attempts"]) == (down.pk, "queued", 6)
    assert body["next_attempt_at"] is not None
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["jeanne0@exemple.fr"]]
    assert api.get(URL).json()["items"][0]["status"] == "sent"


@pytest.mark.parametrize("status", [EmailStatus.QUEUED, EmailStatus.CANCELLED])
def test_only_a_failed_email_is_sent_again(operator_api, programme, status):
    api, _ = operator_api
    other = email(
        programme,
        status=status,
        next_attempt_at=START if status == EmailStatus.QUEUED else None,
    )
    response = api.post(f"{URL}/{other.pk}/retry")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Seul un courriel en échec peut être envoyé à nouveau.",
        "code": "not_failed",
    }
    other.refresh_from_db()
    assert other.status == status


def test_an_erased_secret_cannot_be_sent_again(operator_api, programme):
    api, _ = operator_api
    expired = failed(
        programme, kind=EmailKind.PASSWORD_RESET, body="", secret_until=START, body_erased_at=START
    )
    response = api.post(f"{URL}/{expired.pk}/retry")
    assert response.status_code == 409
    assert response.json()["code"] == "secret_erased"
    assert "la personne doit refaire sa demande" in response.json()["detail"]


def test_another_programmes_email_is_not_found(operator_api):
    api, _ = operator_api
    elsewhere = failed(ProgrammeFactory())
    for target in (elsewhere.pk, 999999):
        response = api.post(f"{URL}/{target}/retry")
        assert response.status_code == 404
        assert response.json() == {"detail": "Courriel introuvable.", "code": "not_found"}
    elsewhere.refresh_from_db()
    assert elsewhere.status == EmailStatus.FAILED


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_other_roles_cannot_send_again(api_as, programme, kind):
    down = failed(programme)
    api, _ = api_as(kind)
    response = api.post(f"{URL}/{down.pk}/retry")
    assert response.status_code == 403
    assert response.json() == ONLY_OPERATOR
    down.refresh_from_db()
    assert down.status == EmailStatus.FAILED
