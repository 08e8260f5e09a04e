"""Revoking API tokens over the API: the one in use, or any of one's own (never another's)."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from passnum.accounts.models import ApiToken, Revocation
from passnum.organisations.enums import OrganisationKind
from tests.conftest import ROLES, token_for
from tests.factories import MembershipFactory


def bearer(token):
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("kind", ROLES)
def test_revoke_the_token_in_use(api_as, kind):
    client, _ = api_as(kind)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/auth/revoke")
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get()
    assert body["id"] == token.pk
    assert body["current"] is True
    assert body["revoked_at"] is not None
    assert token.revoked_reason == Revocation.OWNER
    # kept, but no longer usable
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/auth/revoke").status_code == 401


@pytest.mark.parametrize("kind", ROLES)
def test_list_own_live_tokens(
    client, api_as, make_actor, programme, kind, django_assert_num_queries
):
    api, actor = api_as(kind)
    other = MembershipFactory(
        user=actor.user, organisation__programme=programme, organisation__kind="referrer"
    )
    token_for(client, actor.user.username, organisation_id=other.organisation_id)
    revoked = token_for(client, actor.user.username)
    bearer(revoked).post("/api/v1/auth/revoke")
    expired = token_for(client, actor.user.username)
    ApiToken.objects.filter(pk=ApiToken.objects.latest("pk").pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert bearer(expired).get("/api/v1/me").status_code == 401
    stranger = make_actor(kind)
    token_for(client, stranger.user.username)

    with django_assert_num_queries(3):  # the token, the count, the page
        response = api.get("/api/v1/auth/tokens")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    items = body["items"]
    assert [item["organisation"]["id"] for item in items] == [
        other.organisation_id,
        actor.organisation.pk,
    ]  # newest first
    assert [item["current"] for item in items] == [False, True]
    current = items[1]
    token = ApiToken.objects.get(pk=current["id"])
    assert current == {
        "id": token.pk,
        "organisation": {"id": actor.organisation.pk, "name": actor.organisation.name},
        "created_at": current["created_at"],
        "expires_at": current["expires_at"],
        "revoked_at": None,
        "current": True,
    }
    for field in ("created_at", "expires_at"):  # to the millisecond
        shown = datetime.fromisoformat(current[field])
        assert abs(shown - getattr(token, field)) < timedelta(milliseconds=1)


def test_list_is_paginated(client, api_as):
    api, actor = api_as(OrganisationKind.REFERRER)
    for _ in range(3):
        token_for(client, actor.user.username)
    body = api.get("/api/v1/auth/tokens?limit=2&offset=1").json()
    assert body["count"] == 4
    assert len(body["items"]) == 2
    assert api.get("/api/v1/auth/tokens?limit=0").status_code == 422


@pytest.mark.parametrize("kind", ROLES)
def test_revoke_one_of_ones_tokens(client, api_as, kind):
    api, actor = api_as(kind)
    other = token_for(client, actor.user.username)
    other_id = ApiToken.objects.latest("pk").pk
    response = api.post(f"/api/v1/auth/tokens/{other_id}/revoke")
    assert response.status_code == 200
    assert response.json()["current"] is False
    assert response.json()["revoked_at"] is not None
    assert bearer(other).get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me").status_code == 200
    # again: nothing more to do, same answer
    again = api.post(f"/api/v1/auth/tokens/{other_id}/revoke")
    assert again.status_code == 200
    assert again.json()["revoked_at"] == response.json()["revoked_at"]


@pytest.mark.parametrize("kind", ROLES)
def test_someone_elses_token_is_not_found(client, api_as, make_actor, kind):
    api, actor = api_as(kind)
    # even a member of the same organisation, even an admin
    colleague = make_actor(kind, organisation=actor.organisation, is_admin=True)
    theirs = token_for(client, colleague.user.username)
    their_id = ApiToken.objects.get(membership=colleague.membership).pk
    response = api.post(f"/api/v1/auth/tokens/{their_id}/revoke")
    assert response.status_code == 404
    assert response.json() == {"detail": "Jeton introuvable.", "code": "token_not_found"}
    assert bearer(theirs).get("/api/v1/me").status_code == 200
    ids = [item["id"] for item in api.get("/api/v1/auth/tokens").json()["items"]]
    assert their_id not in ids


def test_unknown_or_malformed_ids(api_as):
    api, _ = api_as(OrganisationKind.REFERRER)
    assert api.post("/api/v1/auth/tokens/999999/revoke").status_code == 404
    response = api.post("/api/v1/auth/tokens/abc/revoke")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/auth/revoke"),
        ("get", "/api/v1/auth/tokens"),
        ("post", "/api/v1/auth/tokens/1/revoke"),
    ],
)
def test_token_endpoints_need_a_token(db, method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_openapi_documents_the_token_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    revoke = paths["/api/v1/auth/revoke"]["post"]
    assert set(revoke["responses"]) == {"200", "401"}
    listing = paths["/api/v1/auth/tokens"]["get"]
    assert set(listing["responses"]) == {"200", "401", "422"}
    one = paths["/api/v1/auth/tokens/{token_id}/revoke"]["post"]
    assert set(one["responses"]) == {"200", "401", "404", "422"}
    for operation in (revoke, listing, one):
        assert operation["summary"]
        assert operation["tags"] == ["Authentification"]
