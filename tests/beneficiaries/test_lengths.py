"""What grows past its column is refused or shortened, never a database error (a 500 on
PostgreSQL, which enforces the lengths SQLite ignores): names whose search key grows with
Unicode normalisation (« ﬃ » becomes « ffi »), emails longer than the column. Through the
service, the web form and ``POST /api/v1/referrals``."""

import html
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from passnum.beneficiaries.models import Beneficiary, identity_key
from passnum.beneficiaries.selectors import same_identity
from passnum.beneficiaries.services import (
    EMAIL_MAX,
    BeneficiaryData,
    clean_beneficiary_data,
    create_beneficiary,
)
from passnum.common.exceptions import InvalidInput
from passnum.organisations.enums import OrganisationKind
from passnum.referrals.models import Referral
from tests.factories import CommuneFactory

# 34 characters typed, 102 once normalised (each ligature is three letters).
LIGATURES = "ﬃ" * 34
SEARCH_KEY_MAX = Beneficiary._meta.get_field("search_first_name").max_length
TODAY = date(2026, 3, 2)


def email_of(length: int) -> str:
    """A valid address of exactly ``length`` characters (domain labels of 63 characters at
    most, none empty)."""
    domain_length = length - len("j" * 64 + "@") - len(".fr")
    labels = []
    while domain_length > 0:
        size = min(60, domain_length)
        labels.append("d" * size)
        domain_length -= size + 1  # the dot before the next label
    if domain_length == 0 and labels:  # one character left over: lengthen the last label
        labels[-1] += "d"
    return f"{'j' * 64}@{'.'.join(labels)}.fr"


def data(**changes) -> BeneficiaryData:
    fields = {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birth_date": date(1980, 5, 17),
        "commune": CommuneFactory(),
    }
    fields.update(changes)
    return BeneficiaryData(**fields)


def test_email_of_builds_the_lengths_asked():
    from django.core.validators import validate_email

    for length in (EMAIL_MAX, EMAIL_MAX + 1, EMAIL_MAX + 2, 300):
        address = email_of(length)
        assert len(address) == length
        validate_email(address)  # Django's validator alone lets them through (up to 320)


# --- The rules -------------------------------------------------------------------------------


def test_the_search_key_fits_its_column():
    assert len(LIGATURES) <= 100
    assert len(identity_key(LIGATURES)) == SEARCH_KEY_MAX
    assert identity_key(LIGATURES) == "ffi" * 33 + "f"
    assert len(identity_key("ß" * 100)) == SEARCH_KEY_MAX  # casefolded: « ss »


def test_a_name_that_grows_when_normalised_is_recorded(programme, make_actor):
    referrer = make_actor(OrganisationKind.REFERRER)
    person = create_beneficiary(
        referrer, clean_beneficiary_data(data(first_name=LIGATURES), programme, TODAY)
    )
    stored = Beneficiary.objects.get(pk=person.pk)
    assert stored.first_name == LIGATURES
    assert len(stored.search_first_name) == SEARCH_KEY_MAX
    # the same person typed again is found
    duplicates = same_identity(programme, LIGATURES, "Durand", date(1980, 5, 17))
    assert list(duplicates) == [stored]


def test_an_email_longer_than_its_column_is_refused(programme):
    assert clean_beneficiary_data(data(email=email_of(EMAIL_MAX)), programme, TODAY).email
    with pytest.raises(InvalidInput) as excinfo:
        clean_beneficiary_data(data(email=email_of(EMAIL_MAX + 2)), programme, TODAY)
    assert excinfo.value.extra["field"] == "email"
    assert excinfo.value.message == f"L'adresse de courriel dépasse {EMAIL_MAX} caractères."


def test_the_email_bound_is_the_column(db):
    assert Beneficiary._meta.get_field("email").max_length == EMAIL_MAX


# --- The web form and the API, on SQLite and PostgreSQL --------------------------------------


def form_data(**changes) -> dict:
    return {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birth_date": "1980-05-17",
        "commune": "Mende",
        "notice_given_on": timezone.localdate().isoformat(),
        "notice_given": "on",
        "needs": ["outils_quotidien"],
        **changes,
    }


def api_body(**person) -> dict:
    return {
        "beneficiary": {
            "first_name": "Jeanne",
            "last_name": "Durand",
            "birth_date": "1980-05-17",
            "commune_insee": "48095",
            **person,
        },
        "publics": [],
        "needs": ["outils_quotidien"],
    }


@pytest.fixture
def web(make_actor, communes):
    client = Client()
    client.force_login(make_actor(OrganisationKind.REFERRER).user)
    return client


def test_web_form_records_a_name_that_grows_when_normalised(web):
    response = web.post(reverse("www:referral_new"), form_data(first_name=LIGATURES))
    assert response.status_code == 302
    assert Referral.objects.get().beneficiary.first_name == LIGATURES


def test_web_form_refuses_a_too_long_email_on_its_field(web):
    response = web.post(reverse("www:referral_new"), form_data(email=email_of(256)))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"L'adresse de courriel dépasse {EMAIL_MAX} caractères." in page
    assert not Referral.objects.exists()


def test_api_records_a_name_that_grows_when_normalised(api_as, communes):
    client, _ = api_as(OrganisationKind.REFERRER)
    response = client.post(
        "/api/v1/referrals", api_body(first_name=LIGATURES), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Referral.objects.get().beneficiary.first_name == LIGATURES


def test_api_refuses_a_too_long_email(api_as, communes):
    client, _ = api_as(OrganisationKind.REFERRER)
    response = client.post(
        "/api/v1/referrals", api_body(email=email_of(256)), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"L'adresse de courriel dépasse {EMAIL_MAX} caractères.",
        "code": "invalid_input",
        "field": "beneficiary.email",
    }
    assert not Beneficiary.objects.exists()
