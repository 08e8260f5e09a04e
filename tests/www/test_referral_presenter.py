"""One presenter decides what each role sees of a referral: for every role, the fields of the web
page equal those of the API (the audit found the operator reading, on the web, texts the API
hid). Identifiers are left out of the comparison: they are links on the page, not information."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind as Kind
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe, reject
from tests.conftest import token_for
from tests.factories import BeneficiaryFactory, ReferralFactory

IDENTIFIER = re.compile(r"(^|\.)id$|_id$")


def web_fields(actor, referral) -> set[str]:
    client = Client()
    client.force_login(actor.user)
    response = client.get(reverse("www:referral", args=[referral.pk]))
    assert response.status_code == 200
    return set(re.findall(r'data-field="([^"]+)"', response.content.decode()))


def api_fields(actor, referral) -> set[str]:
    client = Client(
        headers={"Authorization": f"Bearer {token_for(Client(), actor.user.username)}"}
    )
    response = client.get(f"/api/v1/referrals/{referral.pk}")
    assert response.status_code == 200
    return flatten(response.json())


def flatten(data: dict, prefix: str = "") -> set[str]:
    """Dotted names of the fields (a list of records counts as one field)."""
    fields = set()
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            fields |= flatten(value, f"{name}.")
        elif not IDENTIFIER.search(name):
            fields.add(name)
    return fields


@pytest.fixture
def referrer(make_actor):
    return make_actor(Kind.REFERRER)


@pytest.fixture
def department(make_actor):
    return make_actor(Kind.DEPARTMENT)


def situations(programme, referrer, department):
    """Referrals in every state the page shows differently."""
    own_person = BeneficiaryFactory(
        programme=programme, created_by_organisation=referrer.organisation, email="x@exemple.fr"
    )
    pending = ReferralFactory(
        beneficiary=own_person, organisation=referrer.organisation, comment="Suivie au CCAS."
    )
    # A person recorded by another organisation (before the confidentiality rule): no contact.
    elsewhere = ReferralFactory(
        beneficiary__programme=programme, organisation=referrer.organisation
    )
    generate_passes(programme, 5)
    prescribed = ReferralFactory(
        beneficiary__programme=programme, organisation=referrer.organisation
    )
    prescribe(department, prescribed)
    rejected = reject(
        department,
        ReferralFactory(beneficiary__programme=programme, organisation=referrer.organisation),
        "Hors critères.",
    )
    return [pending, elsewhere, prescribed, rejected]


def test_each_role_sees_the_same_fields_on_the_page_and_in_the_api(
    programme, referrer, department
):
    for referral in situations(programme, referrer, department):
        for actor in (referrer, department):
            assert web_fields(actor, referral) == api_fields(actor, referral), (
                actor.role,
                referral.status,
            )


def test_the_fields_differ_by_role_as_decided(programme, referrer, department):
    pending, elsewhere, *_ = situations(programme, referrer, department)
    mine = api_fields(referrer, pending)
    theirs = api_fields(referrer, elsewhere)
    everything = api_fields(department, elsewhere)
    assert {"beneficiary.email", "beneficiary.phone", "comment"} <= mine
    assert "beneficiary.email" not in theirs  # recorded by another organisation
    assert {"beneficiary.email", "other_records", "possible_duplicate"} <= everything
    assert not {"other_records", "possible_duplicate"} & (mine | theirs)


@pytest.mark.parametrize("kind", [Kind.OPERATOR, Kind.PROVIDER])
def test_roles_without_referrals_see_none_on_the_page_nor_in_the_api(programme, make_actor, kind):
    actor = make_actor(kind)
    referral = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Confidentiel",
        comment="Texte confidentiel",
    )
    client = Client()
    client.force_login(actor.user)
    page = client.get(reverse("www:referral", args=[referral.pk]))
    api = Client(
        headers={"Authorization": f"Bearer {token_for(Client(), actor.user.username)}"}
    ).get(f"/api/v1/referrals/{referral.pk}")
    assert (page.status_code, api.status_code) == (403, 403)
    for body in (page.content.decode(), api.content.decode()):
        assert "Confidentiel" not in body
        assert "Texte confidentiel" not in body
