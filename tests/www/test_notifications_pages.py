"""« Courriels »: the operator follows the sending (counts by status, queued and failed emails
with masked recipients) and sends a failed one again; the other roles are refused."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.organisations.enums import OrganisationKind
from tests.factories import ProgrammeFactory
from tests.tasks import run_tasks

Kind = OrganisationKind
LIST = "/espace/courriels/"
START = timezone.make_aware(datetime.datetime(2026, 11, 2, 9))


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def plain(response) -> str:
    without_tags = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", without_tags)


def rows(response, table_id) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', response.content.decode(), re.S)
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S).group(1)
    return [
        re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row))).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def email(programme, n=0, **fields) -> Email:
    fields = {
        "kind": EmailKind.PASSWORD_RESET,
        "recipient": f"jeanne{n}@exemple.fr",
        "subject": "Pass numérique : fin du chéquier de Jeanne D.",
        "body": "Bonjour Jeanne,",
        "status": EmailStatus.QUEUED,
        "next_attempt_at": START + datetime.timedelta(minutes=4),
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
        **{
            "status": EmailStatus.FAILED,
            "attempts": 6,
            "next_attempt_at": None,
            "last_error": "SMTPRecipientsRefused: <[adresse masquée]> inconnue",
            **fields,
        },
    )


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


@pytest.fixture
def outbox(programme):
    """In the programme: 1 queued, 2 failed (one whose secret was erased), 3 sent, 1 cancelled;
    another programme's failed email."""
    queued = email(programme, 0, kind=EmailKind.REMINDER_REFERRER, attempts=2, last_error="x")
    down = failed(programme, 1)
    erased = failed(programme, 2, body="", secret_until=START, body_erased_at=START)
    for n in range(3, 6):
        email(programme, n, status=EmailStatus.SENT, next_attempt_at=None, sent_at=START)
    email(programme, 6, status=EmailStatus.CANCELLED, next_attempt_at=None)
    failed(ProgrammeFactory(), 7)
    return {"queued": queued, "failed": down, "erased": erased}


def test_the_operator_sees_counts_and_the_emails_to_watch(operator, outbox):
    response = logged_in(operator).get(LIST)

    assert response.status_code == 200
    page = plain(response)
    assert "Courriels" in page
    assert rows(response, "totaux") == ["1 3 2 1"]  # en file, envoyés, en échec, sans objet
    assert "En file Envoyé En échec Sans objet" in page
    erased, down, queued = outbox["erased"], outbox["failed"], outbox["queued"]
    assert rows(response, "a-surveiller") == [
        f"n° {erased.pk} — Nouveau mot de passe 02/11/2026 09:02 j•••@exemple.fr En échec 6 "
        "SMTPRecipientsRefused: <[adresse masquée]> inconnue "
        "Lien expiré et effacé : la personne doit refaire sa demande.",
        f"n° {down.pk} — Nouveau mot de passe 02/11/2026 09:01 j•••@exemple.fr En échec 6 "
        "SMTPRecipientsRefused: <[adresse masquée]> inconnue Réessayer",
        f"n° {queued.pk} — Rappel de fin de chéquier à la structure 02/11/2026 09:00 "
        "j•••@exemple.fr En file 2 x Prochain essai le 02/11/2026 à 09:04",
    ]
    # No personal data: no address, no subject (it names the person), no body.
    body = response.content.decode()
    assert "jeanne" not in body
    assert "Jeanne" not in body
    assert body.count('action="/espace/courriels/') == 1  # one « Réessayer », the failed one
    assert f'action="{reverse("www:email_retry", args=[down.pk])}"' in body


def test_nothing_to_watch_says_so(operator, programme):
    email(programme, status=EmailStatus.SENT, next_attempt_at=None, sent_at=START)
    response = logged_in(operator).get(LIST)
    assert "Aucun courriel en file ni en échec : tout est parti." in plain(response)
    assert rows(response, "totaux") == ["0 1 0 0"]


def test_the_page_costs_a_fixed_number_of_queries(operator, programme, django_assert_num_queries):
    client = logged_in(operator)
    failed(programme, 0)

    def queries():
        # the session, the user, the membership; the counts, the page's count, the page
        with django_assert_num_queries(6) as captured:
            assert client.get(LIST).status_code == 200
        return captured

    queries()
    for n in range(1, 40):
        failed(programme, n)
    captured = queries()
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert '"notifications_email"."body"' not in sql  # the list never reads a body


def test_the_list_is_paginated(operator, programme):
    for n in range(55):
        failed(programme, n)
    client = logged_in(operator)
    first = client.get(LIST)
    assert len(rows(first, "a-surveiller")) == 50
    assert len(rows(client.get(LIST, {"page": 2}), "a-surveiller")) == 5


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_other_roles_are_refused(make_actor, outbox, kind):
    client = logged_in(make_actor(kind))
    response = client.get(LIST)
    assert response.status_code == 403
    assert "Seul le pilote suit l'envoi des courriels." in plain(response)
    response = client.post(reverse("www:email_retry", args=[outbox["failed"].pk]))
    assert response.status_code == 403
    outbox["failed"].refresh_from_db()
    assert outbox["failed"].status == EmailStatus.FAILED


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        (Kind.OPERATOR, True),
        (Kind.REFERRER, False),
        (Kind.DEPARTMENT, False),
        (Kind.PROVIDER, False),
    ],
)
def test_the_menu_links_the_page_for_the_operator_only(make_actor, kind, shown):
    body = logged_in(make_actor(kind)).get(reverse("www:dashboard")).content.decode()
    nav = body.split('id="navigation-principale"')[1].split("</nav>")[0]
    assert (f'href="{LIST}"' in nav) is shown
    assert (">Courriels</a>" in nav) is shown


def test_retry_sends_a_failed_email_again(operator, outbox):
    down = outbox["failed"]
    response = logged_in(operator).post(reverse("www:email_retry", args=[down.pk]), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert (
        f"Courriel n° {down.pk} (nouveau mot de passe) remis en file : le processus d'envoi "
        "va l'essayer de nouveau." in plain(response)
    )
    down.refresh_from_db()
    assert down.status == EmailStatus.QUEUED
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["jeanne1@exemple.fr"]]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("queued", "Seul un courriel en échec peut être envoyé à nouveau."),
        ("erased", "la personne doit refaire sa demande."),
    ],
)
def test_retry_refused_is_explained(operator, outbox, target, message):
    email = outbox[target]
    response = logged_in(operator).post(reverse("www:email_retry", args=[email.pk]), follow=True)
    assert response.status_code == 200
    assert message in plain(response)
    before = email.status
    email.refresh_from_db()
    assert email.status == before


def test_retry_of_another_programmes_email_is_not_found(operator, outbox):
    elsewhere = Email.objects.exclude(programme=operator.programme).get()
    response = logged_in(operator).post(reverse("www:email_retry", args=[elsewhere.pk]))
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == EmailStatus.FAILED


def test_retry_only_by_post(operator, outbox):
    response = logged_in(operator).get(reverse("www:email_retry", args=[outbox["failed"].pk]))
    assert response.status_code == 405
