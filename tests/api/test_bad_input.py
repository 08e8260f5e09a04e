"""Whatever a client sends, the API answers in its format and never with a 500: numbers beyond
64 bits, bodies that are not JSON (a form, a multipart without boundary), bodies too large,
control characters in a query string."""

import json

import pytest
from django.conf import settings

from passnum.accounts.models import ApiToken
from passnum.organisations.enums import OrganisationKind
from tests.factories import PASSWORD

Kind = OrganisationKind
LISTS = ["/api/v1/referrals", "/api/v1/statements", "/api/v1/sessions"]
LIST_READERS = {
    "/api/v1/referrals": Kind.DEPARTMENT,
    "/api/v1/statements": Kind.OPERATOR,
    "/api/v1/sessions": Kind.PROVIDER,
}
NOT_JSON = {
    "detail": "Le corps de la requête doit être du JSON : envoyez l'en-tête "
    "« Content-Type: application/json ».",
    "code": "unsupported_media_type",
}


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("offset", [str(2**63), str(2**64), "9" * 40])
def test_an_offset_beyond_64_bits_is_refused(api_as, url, offset):
    client, _ = api_as(LIST_READERS[url])
    client.raise_request_exception = False
    response = client.get(url, {"offset": offset})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"] == [{"field": "offset", "message": "est trop grand"}]


@pytest.mark.parametrize("url", LISTS)
def test_the_largest_offset_is_an_empty_page(api_as, url):
    client, _ = api_as(LIST_READERS[url])
    response = client.get(url, {"offset": "1000000000"})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
    ],
)
def test_a_form_body_is_refused_before_the_login(client, make_actor, content_type):
    actor = make_actor(Kind.REFERRER)
    client.raise_request_exception = False
    data = json.dumps({"username": actor.user.username, "password": PASSWORD})
    response = client.post("/api/v1/auth/token", data, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == NOT_JSON
    assert not ApiToken.objects.exists()


def test_a_form_body_is_refused_on_every_body_route(api_as):
    client, _ = api_as(Kind.OPERATOR)
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/statements/generate", json.dumps({"period": "2026-01"}), "multipart/form-data"
    )
    assert response.status_code == 415
    assert response.json() == NOT_JSON


def test_json_types_are_read(client, make_actor):
    actor = make_actor(Kind.REFERRER)
    data = json.dumps({"username": actor.user.username, "password": PASSWORD})
    for content_type in ("application/json", "application/json; charset=utf-8"):
        response = client.post("/api/v1/auth/token", data, content_type=content_type)
        assert response.status_code == 200, content_type


def test_a_body_too_large_is_413(client, db):
    client.raise_request_exception = False
    data = json.dumps({"username": "a", "password": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client.post("/api/v1/auth/token", data, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Le corps de la requête est trop volumineux.",
        "code": "request_too_large",
    }


@pytest.mark.parametrize(("url", "name"), [("/api/v1/referrals", "status")])
def test_a_nul_in_a_query_string_is_refused(api_as, url, name):
    """PostgreSQL refuses NUL in text: refused before any query."""
    client, _ = api_as(LIST_READERS[url])
    client.raise_request_exception = False
    response = client.get(url, {name: "en\x00attente"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == name
