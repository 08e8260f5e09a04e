"""The password-reset email goes through the outbox (``ResetPasswordForm.send_mail``): queued,
sent by the worker, its secret link erased once sent."""

import datetime

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.organisations.enums import OrganisationKind
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from tests.tasks import frozen, run_tasks

NOW = timezone.make_aware(datetime.datetime(2026, 11, 2, 9))


def ask_for_a_new_password(client, address):
    with frozen(NOW):
        response = client.post(reverse("accounts:password_reset"), {"email": address})
    assert response.status_code == 302
    return response


def test_the_reset_email_is_queued_then_sent_and_its_link_erased(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)

    ask_for_a_new_password(client, actor.user.email)

    assert not mail.outbox  # queued, not sent by the request
    email = Email.objects.get()
    assert (email.kind, email.status, email.recipient) == (
        EmailKind.PASSWORD_RESET,
        EmailStatus.QUEUED,
        actor.user.email,
    )
    assert email.subject == "Pass numérique : choisir un nouveau mot de passe"
    assert "/mot-de-passe/nouveau/" in email.body
    assert email.secret_until == NOW + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    assert email.programme == actor.programme  # its operator follows it

    assert run_tasks(at=NOW) == 1

    (message,) = mail.outbox
    assert message.to == [actor.user.email]
    assert "/mot-de-passe/nouveau/" in message.body
    email.refresh_from_db()
    assert (email.status, email.body, email.body_erased_at) == (EmailStatus.SENT, "", NOW)


def test_an_unknown_address_queues_nothing(client, db):
    ask_for_a_new_password(client, "inconnu@exemple.fr")
    assert not Email.objects.exists()
    assert run_tasks() == 0


def test_a_member_of_two_programmes_has_no_programme_on_the_email(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    MembershipFactory(
        user=actor.user, organisation=OrganisationFactory(programme=ProgrammeFactory())
    )
    ask_for_a_new_password(client, actor.user.email)
    assert Email.objects.get().programme is None  # no single operator: the admin shows it
