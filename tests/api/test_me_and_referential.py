import pytest

from passnum.organisations.enums import OrganisationKind
from passnum.referential.enums import Public, Service


@pytest.mark.parametrize("kind", list(OrganisationKind))
def test_me_gives_role_and_organisation(api_as, kind, django_assert_max_num_queries):
    client, actor = api_as(kind)
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": actor.user.username,
        "role": kind.value,
        "is_admin": False,
        "organisation": {
            "id": actor.organisation.pk,
            "name": actor.organisation.name,
            "kind": kind.value,
        },
        "programme": {
            "id": actor.programme.pk,
            "name": actor.programme.name,
            "territory_code": "48",
        },
    }


def test_referential_gives_the_6_publics_and_8_services(api_as, django_assert_max_num_queries):
    client, _ = api_as(OrganisationKind.PROVIDER)
    with django_assert_max_num_queries(1):
        body = client.get("/api/v1/referential").json()
    assert [p["code"] for p in body["publics"]] == Public.values
    assert [p["label"] for p in body["publics"]] == Public.labels
    assert [p["tier"] for p in body["publics"]] == [1, 1, 1, 2, 2, 2]
    assert [s["code"] for s in body["services"]] == Service.values
    assert [s["label"] for s in body["services"]] == Service.labels


def test_api_answers_in_utf8_french(api_as):
    client, _ = api_as(OrganisationKind.REFERRER)
    raw = client.get("/api/v1/referential").content.decode()
    assert "Bénéficiaire du rSa" in raw
