"""« Pass non utilisés » (/espace/suivi/): who sees the page and whom, « Relancer » one person
or the chosen ones (CSRF), the letters of the day as a PDF read back with pypdf."""

import html
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from passnum.notifications.models import Email
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind as Kind
from passnum.passes.enums import ReminderChannel
from passnum.passes.models import Reminder
from passnum.referrals.services import remind
from tests.factories import CommuneFactory, MembershipFactory
from tests.referrals.follow_up import Dormant

DAY = timedelta(days=1)
URL = "/espace/suivi/"
REMIND_URL = "/espace/suivi/relancer/"
LETTERS_URL = "/espace/suivi/lettres.pdf"


@pytest.fixture
def world(programme):
    today = timezone.localdate()
    programme.starts_on = today - 400 * DAY
    programme.ends_on = today + 400 * DAY
    programme.save()
    return Dormant(programme)


def ago(days):
    return timezone.localdate() - days * DAY


def logged_in(actor, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(actor.user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def flat(value: str) -> str:
    return " ".join(value.split())


def test_referrer_sees_its_own_people_and_the_nav_entry(world):
    world.checkbook(on=ago(40), first_name="Jeanne", last_name="Durandal")
    world.checkbook(by=world.other_referrer, on=ago(40), first_name="Paul", last_name="Secret")
    response = logged_in(world.referrer).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Pass non utilisés" in page
    assert f'href="{URL}"' in page  # the menu entry
    assert "Jeanne Durandal" in page
    assert "Secret" not in page
    assert "Aucun pass utilisé" in page
    assert "Orientée par" not in page  # only the Département sees who referred


def test_department_sees_everyone_and_who_referred(world):
    world.checkbook(on=ago(40), first_name="Jeanne", last_name="Durandal")
    world.checkbook(by=world.other_referrer, on=ago(40), first_name="Paul", last_name="Martin")
    page = text(logged_in(world.department).get(URL))
    assert "Jeanne Durandal" in page
    assert "Paul Martin" in page
    assert world.other_referrer.organisation.name in page


@pytest.mark.parametrize("kind", [Kind.PROVIDER, Kind.OPERATOR, Kind.FUNDER])
def test_other_roles_are_refused(world, kind):
    checkbook = world.checkbook(on=ago(40))
    actor = Actor(
        MembershipFactory(organisation__programme=world.programme, organisation__kind=kind)
    )
    client = logged_in(actor)
    response = client.get(URL)
    assert response.status_code == 403
    assert "suivi des pass non utilisés" in text(response)
    assert f'href="{URL}"' not in text(client.get("/espace/"))
    referral_id = checkbook.prescription.referral_id
    assert client.post(REMIND_URL, {"referral": referral_id}).status_code == 403
    assert client.get(LETTERS_URL).status_code == 403
    assert not Reminder.objects.exists()


def test_anonymous_is_sent_to_the_login_page(world):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_remind_one_person_by_email(world):
    checkbook = world.checkbook(
        on=ago(40), email="j@exemple.fr", first_name="Jeanne", last_name="Durandal"
    )
    client = logged_in(world.referrer)
    response = client.post(
        REMIND_URL,
        {"referral": checkbook.prescription.referral_id, "motif": "unused_30_days"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{URL}?motif=unused_30_days", 302)]
    page = flat(text(response))
    assert "Relance par courriel (1) : Jeanne Durandal" in page
    assert Email.objects.get().recipient == "j@exemple.fr"
    assert "Relancée aujourd'hui" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page

    again = client.post(REMIND_URL, {"referral": checkbook.prescription.referral_id}, follow=True)
    assert "déjà été relancée aujourd'hui" in text(again)
    assert Reminder.objects.count() == 1


def test_remind_the_chosen_people(world):
    with_email = world.checkbook(on=ago(40), email="a@exemple.fr")
    without = world.checkbook(on=ago(41))
    theirs = world.checkbook(by=world.other_referrer, on=ago(40))
    chosen = [c.prescription.referral_id for c in (with_email, without, theirs)]
    response = logged_in(world.referrer).post(
        REMIND_URL, {"referrals": [*chosen, "²"], "selection": "1"}, follow=True
    )
    page = flat(text(response))
    assert "Relance par courriel (1)" in page
    assert "Relance par lettre (1)" in page
    assert f"orientation n° {theirs.prescription.referral_id} : Orientation introuvable." in page
    assert "« ² » : cette orientation n'existe pas." in page
    assert set(Reminder.objects.values_list("checkbook", "channel")) == {
        (with_email.pk, ReminderChannel.EMAIL),
        (without.pk, ReminderChannel.LETTER),
    }
    assert "1 lettre de relance à imprimer aujourd'hui" in page


def test_nothing_chosen(world):
    world.checkbook(on=ago(40))
    response = logged_in(world.referrer).post(REMIND_URL, {"selection": "1"}, follow=True)
    assert "Sélectionnez au moins une personne à relancer." in text(response)
    assert not Reminder.objects.exists()


def test_remind_needs_the_csrf_token(world):
    checkbook = world.checkbook(on=ago(40))
    client = logged_in(world.referrer, enforce_csrf_checks=True)
    response = client.post(REMIND_URL, {"referral": checkbook.prescription.referral_id})
    assert response.status_code == 403
    assert not Reminder.objects.exists()
    assert client.get(REMIND_URL).status_code == 405


def test_the_letters_of_the_day(world, settings):
    settings.PASSNUM_SITE_URL = "https://pass-numerique.lozere.fr"
    florac = CommuneFactory(insee_code="48061", name="Florac Trois Rivières")
    jeanne = world.checkbook(on=ago(40), first_name="Jeanne", last_name="Durandal", commune=florac)
    paul = world.checkbook(on=ago(50), first_name="Paul", last_name="Émile")
    world.use(paul, 2, on=ago(45))
    by_email = world.checkbook(on=ago(40), email="x@exemple.fr", first_name="Xavier")
    theirs = world.checkbook(by=world.other_referrer, on=ago(40), first_name="Zoé")
    for checkbook, actor in (
        (jeanne, world.referrer),
        (paul, world.referrer),
        (by_email, world.referrer),
        (theirs, world.other_referrer),
    ):
        remind(actor, checkbook.prescription.referral)

    response = logged_in(world.referrer).get(LETTERS_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="lettres-relance-{day:%Y-%m-%d}.pdf"'
    )
    pages = [flat(p.extract_text()) for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) == 2  # one per person reminded by letter by this organisation
    first, second = pages  # by last name: Durandal, Émile
    assert "Jeanne Durandal" in first
    assert "Florac Trois Rivières" in first
    assert f"chéquier Pass numérique n° {jeanne.number}" in first
    assert "Il vous reste 5 pass" in first
    assert f"avant le {jeanne.expires_on:%d/%m/%Y}" in first
    assert "https://pass-numerique.lozere.fr/ou-utiliser-mes-pass/?commune=48061" in first
    assert "https://pass-numerique.lozere.fr/verifier-mes-pass/" in first
    assert world.referrer.organisation.name in first
    assert f"Le {day:%d/%m/%Y}" in first
    assert "Paul Émile" in second
    assert "Il vous reste 3 pass" in second
    assert "Xavier" not in " ".join(pages)
    assert "Zoé" not in " ".join(pages)


def test_letters_use_the_request_s_address_without_the_setting(world, settings):
    settings.PASSNUM_SITE_URL = ""
    checkbook = world.checkbook(on=ago(40))
    remind(world.department, checkbook.prescription.referral)
    response = logged_in(world.department).get(LETTERS_URL)
    (page,) = PdfReader(io.BytesIO(response.content)).pages
    assert "http://testserver/verifier-mes-pass/" in flat(page.extract_text())


def test_no_letter_and_a_bad_day(world):
    client = logged_in(world.referrer)
    response = client.get(LETTERS_URL, follow=True)
    assert "Aucune lettre de relance à imprimer pour le" in text(response)
    response = client.get(LETTERS_URL, {"jour": "2026-02-30"}, follow=True)
    assert "La date des relances n'est pas une date valide" in text(response)
    yesterday = client.get(LETTERS_URL, {"jour": ago(1).isoformat()}, follow=True)
    assert f"pour le {ago(1):%d/%m/%Y}" in text(yesterday)


def test_a_bad_reason_filter(world):
    world.checkbook(on=ago(40))
    response = logged_in(world.referrer).get(URL, {"motif": "endormi"})
    assert response.status_code == 200
    assert "Ce motif n'existe pas." in text(response)


def test_query_count_does_not_grow_with_the_list(world, django_assert_max_num_queries):
    client = logged_in(world.department)
    world.checkbook(on=ago(40))
    with django_assert_max_num_queries(30) as first:
        assert client.get(URL).status_code == 200
    for index in range(8):
        checkbook = world.checkbook(on=ago(40), email=f"p{index}@exemple.fr" if index % 2 else "")
        if index % 3 == 0:
            remind(world.department, checkbook.prescription.referral, today=ago(2))
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(URL)
    assert text(page).count("Relancer</button>") == 9
