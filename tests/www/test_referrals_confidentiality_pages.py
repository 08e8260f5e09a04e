"""On the site too, a referrer learns nothing of another organisation's people, and the
Département resolves cross-organisation duplicates from its queue."""

import pytest
from django.urls import reverse

from passnum.beneficiaries.models import Beneficiary
from passnum.organisations.enums import OrganisationKind as Kind
from passnum.passes.services import generate_passes
from passnum.referrals.models import Referral
from passnum.referrals.services import prescribe, withdraw
from tests.www.test_referrals_pages import form_data, logged_in, plain, text


@pytest.fixture
def first(make_actor, communes):
    """The first organisation oriented Jeanne Durand, with her email and phone."""
    actor = make_actor(Kind.REFERRER)
    logged_in(actor).post(reverse("www:referral_new"), form_data())
    return actor, Referral.objects.get()


@pytest.fixture
def second(make_actor):
    return make_actor(Kind.REFERRER)


def test_no_question_about_another_organisations_person(first, second):
    _, theirs = first
    response = logged_in(second).post(reverse("www:referral_new"), form_data(), follow=True)
    body = text(response)
    assert "Cette personne est peut-être déjà enregistrée" not in body
    assert "déjà une orientation en attente" not in body
    ours = Referral.objects.exclude(pk=theirs.pk).get()
    assert ours.organisation == second.organisation
    assert ours.beneficiary != theirs.beneficiary
    assert Beneficiary.objects.count() == 2


def test_a_withdrawn_persons_contact_is_never_shown_to_another_organisation(first, second):
    first_actor, theirs = first
    withdraw(first_actor, theirs, "Déménagement.")
    client = logged_in(second)
    response = client.post(reverse("www:referral_new"), form_data(email="", phone=""), follow=True)
    assert response.status_code == 200
    ours = Referral.objects.exclude(pk=theirs.pk).get()
    page = text(client.get(reverse("www:referral", args=[ours.pk])))
    assert "jeanne.durand@exemple.fr" not in page
    assert "04 66 00 00 00" not in page
    assert "0466000000" not in page


@pytest.fixture
def both(first, second):
    """The same identity oriented by two organisations."""
    _, theirs = first
    logged_in(second).post(reverse("www:referral_new"), form_data())
    ours = Referral.objects.exclude(pk=theirs.pk).get()
    return theirs, ours


def test_the_queue_flags_the_duplicate_and_the_page_says_who_else(both, make_actor):
    theirs, ours = both
    department = make_actor(Kind.DEPARTMENT)
    client = logged_in(department)
    queue = text(client.get(reverse("www:queue")))
    assert queue.count("Doublon possible") == 2
    page = client.get(reverse("www:referral", args=[ours.pk]))
    assert "Une autre structure a enregistré une personne de mêmes nom" in plain(page)
    assert theirs.organisation.name in text(page)
    assert reverse("www:referral", args=[theirs.pk]) in text(page)
    assert 'name="distinct_person"' in text(page)


def test_the_department_confirms_a_namesake_to_prescribe(both, make_actor, programme):
    theirs, ours = both
    department = make_actor(Kind.DEPARTMENT)
    generate_passes(programme, 10)
    prescribe(department, theirs)
    client = logged_in(department)
    url = reverse("www:referral_prescribe", args=[ours.pk])

    refused = client.post(url, follow=True)
    assert "a déjà un chéquier en cours" in text(refused)
    ours.refresh_from_db()
    assert ours.status == "pending"

    client.post(url, {"distinct_person": "1"})
    ours.refresh_from_db()
    assert ours.status == "prescribed"
