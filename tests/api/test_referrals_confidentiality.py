"""What one organisation can learn about another's people: nothing (the audit's « probing »).

A second referrer organisation that types the identity of a person referred by the first gets
no duplicate candidates, no ``already_pending``, no ``already_has_checkbook``, and never reuses
the first organisation's record (its contact details): its referral is accepted as a new record
and flagged to the Département, which resolves it."""

import pytest

from passnum.beneficiaries.models import Beneficiary
from passnum.organisations.enums import OrganisationKind as Kind
from passnum.passes.services import generate_passes
from passnum.referrals.models import Referral
from passnum.referrals.services import prescribe, withdraw
from tests.factories import BeneficiaryFactory, CommuneFactory, ReferralFactory

URL = "/api/v1/referrals"
IDENTITY = {"first_name": "Jeanne", "last_name": "Dupont", "birth_date": "1980-05-17"}


def body(**beneficiary):
    return {
        "beneficiary": {**IDENTITY, "commune_insee": "48095", **beneficiary},
        "publics": [],
        "needs": ["outils_quotidien"],
    }


def post(client, data):
    return client.post(URL, data, content_type="application/json")


@pytest.fixture
def mende(db):
    return CommuneFactory()


@pytest.fixture
def first(api_as, mende):
    """The first referrer organisation, and its record of Jeanne Dupont (with her contact)."""
    client, actor = api_as(Kind.REFERRER)
    response = post(client, body(email="jeanne@exemple.fr", phone="0466000000"))
    assert response.status_code == 201
    return client, actor, Referral.objects.get(pk=response.json()["id"])


@pytest.fixture
def second(api_as):
    return api_as(Kind.REFERRER)


def test_a_person_waiting_elsewhere_is_not_revealed(first, second):
    _, _, theirs = first
    client, actor = second
    response = post(client, body())
    assert response.status_code == 201, response.content  # was 409 already_pending
    data = response.json()
    assert data["beneficiary_id"] != theirs.beneficiary_id
    assert Beneficiary.objects.get(pk=data["beneficiary_id"]).created_by_organisation == (
        actor.organisation
    )


def test_a_checkbook_held_elsewhere_is_not_revealed(first, second, make_actor, programme):
    _, _, theirs = first
    generate_passes(programme, 5)
    prescribe(make_actor(Kind.DEPARTMENT), theirs)
    client, _ = second
    response = post(client, body())
    assert response.status_code == 201, response.content  # was 409 already_has_checkbook
    assert "chéquier" not in response.content.decode()


def test_people_recorded_elsewhere_are_no_candidates(api_as, mende, programme, second):
    _, other = api_as(Kind.REFERRER)
    for email in ("a@exemple.fr", "b@exemple.fr"):
        BeneficiaryFactory(
            programme=programme,
            first_name="Jeanne",
            last_name="Dupont",
            email=email,
            created_by_organisation=other.organisation,
        )
    client, _ = second
    response = post(client, body())
    assert response.status_code == 201, response.content  # was 409 possible_duplicate
    assert "candidates" not in response.json()


def test_after_a_withdrawal_the_record_and_its_contact_are_not_reused(first, second):
    _, first_actor, theirs = first
    withdraw(first_actor, theirs, "La personne a déménagé.")
    client, _ = second
    response = post(client, body())
    assert response.status_code == 201
    assert response.json()["beneficiary_id"] != theirs.beneficiary_id
    detail = client.get(f"{URL}/{response.json()['id']}").json()
    assert "jeanne@exemple.fr" not in str(detail)
    assert "0466000000" not in str(detail)
    assert detail["beneficiary"]["email"] == ""  # its own record: empty, its own


def test_an_identifier_of_another_organisations_person_is_refused(first, second):
    _, _, theirs = first
    client, _ = second
    response = post(client, {**body(), "beneficiary_id": theirs.beneficiary_id})
    assert response.status_code == 422
    assert response.json()["field"] == "beneficiary_id"
    assert not Referral.objects.exclude(pk=theirs.pk).exists()


# The Département resolves -----------------------------------------------------------------


@pytest.fixture
def department(api_as):
    return api_as(Kind.DEPARTMENT)


def test_the_department_sees_the_flag_and_who_else_referred(first, second, department):
    _, first_actor, theirs = first
    client, _ = second
    ours = post(client, body()).json()["id"]
    department_client, _ = department
    items = {i["id"]: i for i in department_client.get(URL).json()["items"]}
    assert items[ours]["possible_duplicate"] is True
    assert items[theirs.pk]["possible_duplicate"] is True
    detail = department_client.get(f"{URL}/{ours}").json()
    [record] = detail["other_records"]
    assert record["beneficiary_id"] == theirs.beneficiary_id
    assert record["organisation"]["name"] == first_actor.organisation.name
    assert [r["id"] for r in record["referrals"]] == [theirs.pk]
    assert "checkbook" not in record  # none running
    # A referrer never sees these fields.
    mine = client.get(f"{URL}/{ours}").json()
    assert "other_records" not in mine
    assert "possible_duplicate" not in mine
    assert all("possible_duplicate" not in i for i in client.get(URL).json()["items"])


def test_prescription_refused_while_the_other_record_holds_a_checkbook(
    first, second, department, programme
):
    _, _, theirs = first
    client, _ = second
    ours = post(client, body()).json()["id"]
    department_client, department_actor = department
    generate_passes(programme, 10)
    prescribe(department_actor, theirs)

    refused = department_client.post(f"{URL}/{ours}/prescribe", content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_has_checkbook"
    assert "une autre personne" in refused.json()["detail"]
    assert Referral.objects.get(pk=ours).status == "pending"
    detail = department_client.get(f"{URL}/{ours}").json()
    assert detail["other_records"][0]["checkbook"]["passes_left"] == 5

    # A namesake born the same day: the Département says so, and prescribes.
    confirmed = department_client.post(
        f"{URL}/{ours}/prescribe", {"distinct_person": True}, content_type="application/json"
    )
    assert confirmed.status_code == 201, confirmed.content
    assert Referral.objects.get(pk=ours).status == "prescribed"


def test_the_department_may_still_reject_a_duplicate(first, second, department):
    _, _, theirs = first
    client, _ = second
    ours = post(client, body()).json()["id"]
    department_client, _ = department
    response = department_client.post(
        f"{URL}/{ours}/reject",
        {"reason": "Déjà orientée par la Mission Locale."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_the_referrer_list_query_count_stays_flat(api_as, programme, django_assert_num_queries):
    client, actor = api_as(Kind.REFERRER)
    for _ in range(5):
        ReferralFactory(beneficiary__programme=programme, organisation=actor.organisation)
    with django_assert_num_queries(3):  # token, page, count
        assert client.get(URL).json()["count"] == 5
