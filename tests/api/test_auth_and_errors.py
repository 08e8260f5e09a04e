from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from passnum.accounts.models import ApiToken
from passnum.organisations.enums import OrganisationKind
from tests.conftest import token_for
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory


def post_token(client, body):
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def bearer(token):
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_token_with_good_credentials_gives_access(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    response = post_token(client, {"username": actor.user.username, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) >= 40
    # only a hash of the token is stored
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.objects.get().membership == actor.membership
    assert bearer(token).get("/api/v1/me").status_code == 200


def test_wrong_password_is_refused_in_french(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    response = post_token(client, {"username": actor.user.username, "password": "faux"})
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Identifiant ou mot de passe incorrect.",
        "code": "invalid_credentials",
    }
    assert not ApiToken.objects.exists()


def test_unknown_user_is_refused_like_a_wrong_password(client, db):
    response = post_token(client, {"username": "personne", "password": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_token_requests_are_throttled(client, make_actor, settings):
    actor = make_actor(OrganisationKind.REFERRER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            post_token(client, {"username": actor.user.username, "password": "x"}).status_code
            == 401
        )
    response = post_token(client, {"username": actor.user.username, "password": "x"})
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert "réessayez dans 15 minutes" in response.json()["detail"]
    # even the right password is refused while locked out
    locked = post_token(client, {"username": actor.user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert not ApiToken.objects.exists()


def test_a_user_without_active_membership_gets_no_token(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    actor.membership.is_active = False
    actor.membership.save()
    response = post_token(client, {"username": actor.user.username, "password": PASSWORD})
    assert response.status_code == 404
    assert response.json()["code"] == "no_active_membership"


def test_token_for_a_chosen_organisation(client, make_actor, programme):
    actor = make_actor(OrganisationKind.REFERRER)
    provider = OrganisationFactory(programme=programme, provider=True)
    MembershipFactory(user=actor.user, organisation=provider)
    token = token_for(client, actor.user.username, organisation_id=provider.pk)
    me = bearer(token).get("/api/v1/me").json()
    assert me["role"] == "provider"
    assert me["organisation"]["id"] == provider.pk


def test_token_for_an_organisation_one_is_not_member_of(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    other = OrganisationFactory()
    response = post_token(
        client,
        {"username": actor.user.username, "password": PASSWORD, "organisation_id": other.pk},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "membership_not_found"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer inconnu"},
        {"Authorization": "Token abc"},
        {"Authorization": ""},
    ],
)
def test_missing_or_bad_token_is_401(db, headers):
    response = Client(headers=headers).get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "Authentification requise" in body["detail"]


def test_expired_token_is_401(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    token = token_for(client, actor.user.username)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(token).get("/api/v1/me").status_code == 401


def test_token_dies_with_its_membership(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    token = token_for(client, actor.user.username)
    actor.membership.is_active = False
    actor.membership.save()
    assert bearer(token).get("/api/v1/me").status_code == 401


def test_malformed_json_is_422_in_french(client, db):
    response = client.post("/api/v1/auth/token", "{pas du json", content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Le corps de la requête n'est pas un JSON valide.",
        "code": "malformed_json",
    }


def test_unknown_fields_are_refused(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    response = post_token(
        client, {"username": actor.user.username, "password": PASSWORD, "role": "operator"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unknown_field"
    assert body["detail"] == "Champ inconnu : role."
    assert body["errors"] == [{"field": "role", "message": "champ inconnu"}]
    assert not ApiToken.objects.exists()


def test_missing_and_mistyped_fields_are_named_in_french(client, db):
    response = post_token(client, {"username": "x", "organisation_id": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert {"field": "password", "message": "champ obligatoire"} in body["errors"]
    assert {"field": "organisation_id", "message": "doit être un nombre entier"} in body["errors"]
    assert body["detail"].startswith("Données invalides : ")


def test_unknown_endpoint_is_a_json_404(db):
    response = Client().get("/api/v1/nexiste-pas")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_openapi_and_docs_are_served_without_cdn(db):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/referential"} <= set(paths)
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
