"""POST /api/v1/redemptions, GET /api/v1/sessions, POST /api/v1/sessions/{id}/undo."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.paths.models import Path
from passnum.providers.models import AccreditationStatus
from passnum.redemptions.models import Redemption, Session
from tests.factories import AccreditationFactory, ProviderPlaceFactory
from tests.redemptions.factories import checkbook_codes

Kind = OrganisationKind
URL = "/api/v1/redemptions"


def state() -> dict:
    return {
        "passes": dict(Pass.objects.order_by().values_list("status").annotate(n=Count("pk"))),
        "sessions": Session.objects.count(),
        "redemptions": Redemption.objects.count(),
        "journal": JournalEntry.objects.count(),
    }


@pytest.fixture
def provider_api(api_as):
    """An accredited provider's API client and actor."""
    client, actor = api_as(Kind.PROVIDER)
    AccreditationFactory(organisation=actor.organisation)
    return client, actor


@pytest.fixture
def book(programme):
    """Prescribed today, so that today's sessions fit its dates."""
    return checkbook_codes(programme, on=timezone.localdate())


def body(codes_, **changes) -> dict:
    return {
        "codes": codes_,
        "date": timezone.localdate().isoformat(),
        "duration_minutes": 60 * max(len(codes_), 1),
        "services": ["outils_quotidien"],
        **changes,
    }


def post(client, payload):
    return client.post(URL, payload, content_type="application/json")


@pytest.fixture(autouse=True)
def programme_covers_today(programme):
    """The factory's programme opens on 1 January 2026: make it open today."""
    today = timezone.localdate()
    programme.starts_on = min(programme.starts_on, today - timedelta(days=1))
    programme.ends_on = max(programme.ends_on, today + timedelta(days=400))
    programme.save()


def test_redeem_answers_201_with_serials_and_amount(provider_api, book, programme):
    client, actor = provider_api
    place = ProviderPlaceFactory(organisation=actor.organisation)
    path = Path.objects.create(
        programme=programme, name="Identité numérique", services=["securite"]
    )
    typed = [book[0][1].lower(), book[1][1].replace("-", " ")]

    response = post(
        client,
        body(
            typed,
            services=[],
            path_id=path.pk,
            place_id=place.pk,
            place_type="home",
            kind="collective",
        ),
    )

    assert response.status_code == 201, response.content
    session = Session.objects.get()
    assert response.json() == {
        "session_id": session.pk,
        "redeemed": [book[0][0].serial, book[1][0].serial],
        "amount_cents": 2_000,
    }
    assert (session.path, session.place, session.place_type, session.kind) == (
        path,
        place,
        "home",
        "collective",
    )
    assert session.services == ["securite"]


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_other_roles_get_403(api_as, book, kind):
    client, _ = api_as(kind)
    before = state()
    response = post(client, body([book[0][1]]))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Seule une structure de médiation numérique peut encaisser des pass.",
        "code": "forbidden",
    }
    assert state() == before


@pytest.mark.parametrize(
    "status", [None, AccreditationStatus.SUBMITTED, AccreditationStatus.SUSPENDED]
)
def test_unaccredited_or_suspended_provider_gets_403(api_as, book, status):
    client, actor = api_as(Kind.PROVIDER)
    if status:
        AccreditationFactory(organisation=actor.organisation, status=status)
    before = state()
    response = post(client, body([book[0][1]]))
    assert response.status_code == 403
    assert response.json()["code"] == "not_accredited"
    assert "habilit" in response.json()["detail"]
    assert state() == before


def test_without_token_401(client, book):
    assert post(client, body([book[0][1]])).status_code == 401


def test_refusal_names_every_bad_pass(provider_api, book):
    client, _ = provider_api
    assert post(client, body([book[0][1]])).status_code == 201
    unknown = codes.display(codes.generate())
    typed = [book[0][1], book[1][1], unknown, "nimporte"]
    before = state()

    response = post(client, body(typed))

    assert response.status_code == 409  # already_redeemed comes first
    answer = response.json()
    assert answer["code"] == "already_redeemed"
    assert answer["detail"].startswith("Aucun pass n'a été encaissé : 3 pass sont refusés.")
    assert [(p["input"], p["reason"]) for p in answer["passes"]] == [
        (book[0][1], "already_redeemed"),
        (unknown, "unknown_code"),
        ("nimporte", "malformed_code"),
    ]
    assert all(p["message"] for p in answer["passes"])
    assert state() == before
    assert Pass.objects.get(pk=book[1][0].pk).status == PassStatus.ASSIGNED


@pytest.mark.parametrize(
    ("prepare", "status", "code"),
    [
        (lambda p: None, 404, "unknown_code"),
        (lambda p: Pass.objects.filter(pk=p.pk).update(status="cancelled"), 409, "cancelled"),
        (lambda p: Pass.objects.filter(pk=p.pk).update(status="expired"), 410, "expired"),
    ],
)
def test_first_reason_gives_the_status(provider_api, book, prepare, status, code):
    client, _ = provider_api
    pass_, typed = book[0]
    prepare(pass_)
    if code == "unknown_code":
        typed = codes.display(codes.generate())
    response = post(client, body([typed]))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["passes"][0]["input"] == typed


def test_malformed_code_422(provider_api, book):
    client, _ = provider_api
    response = post(client, body(["K7QM-9T2D-XH4"]))
    assert response.status_code == 422
    assert response.json()["code"] == "malformed_code"
    assert response.json()["passes"] == [
        {
            "input": "K7QM-9T2D-XH4",
            "reason": "malformed_code",
            "message": "Code mal saisi : vérifiez chaque caractère (12 caractères, par exemple "
            "K7QM-9T2D-XH47)",
        }
    ]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"date": "2099-01-01"}, "date_in_future", "date"),
        ({"duration_minutes": 30}, "invalid_duration", "duration_minutes"),
        ({"duration_minutes": 540}, "invalid_duration", "duration_minutes"),
        ({"services": []}, "services_required", "services"),
        ({"codes": []}, "codes_required", "codes"),
    ],
)
def test_session_rules_422(provider_api, book, changes, code, field):
    client, _ = provider_api
    before = state()
    response = post(client, body([book[0][1]], **changes))
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert state() == before


def test_an_unknown_service_is_refused_on_parsing(provider_api, book):
    """The services are an enumeration of the schema: refused before the service runs."""
    client, _ = provider_api
    before = state()
    response = post(client, body([book[0][1]], services=["outils_quotidien", "inconnu"]))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"] == [{"field": "services.1", "message": "valeur inconnue"}]
    assert state() == before


def test_unknown_fields_and_bad_place(provider_api, book):
    client, _ = provider_api
    response = post(client, body([book[0][1]], beneficiary="Jeanne"))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_field"
    response = post(client, body([book[0][1]], place_id=ProviderPlaceFactory().pk))
    assert response.status_code == 404
    response = post(client, body([book[0][1]], place_type="ailleurs"))
    assert response.status_code == 422


def test_sessions_list_and_undo(provider_api, book, api_as):
    client, _ = provider_api
    first = post(client, body([book[0][1], book[1][1]])).json()
    second = post(client, body([book[2][1]])).json()

    listed = client.get("/api/v1/sessions?limit=1")
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    [item] = listed.json()["items"]
    assert item["id"] == second["session_id"]
    assert (item["passes_count"], item["amount_cents"], item["passes"]) == (
        1,
        1_000,
        [book[2][0].serial],
    )
    assert "beneficiary" not in item

    other, _ = api_as(Kind.PROVIDER)
    assert other.get("/api/v1/sessions").json() == {"items": [], "count": 0}
    url = f"/api/v1/sessions/{first['session_id']}/undo"
    assert other.post(url, {"reason": "x"}, content_type="application/json").status_code == 404

    missing = client.post(url, {"reason": ""}, content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (422, "reason_required")
    undone = client.post(url, {"reason": "Erreur de date"}, content_type="application/json")
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert Pass.objects.get(pk=book[0][0].pk).status == PassStatus.ASSIGNED
    again = client.post(url, {"reason": "Encore"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_undone")


def test_referrer_cannot_list_sessions(api_as):
    client, _ = api_as(Kind.REFERRER)
    assert client.get("/api/v1/sessions").status_code == 403


def test_openapi_documents_the_routes(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    responses = paths["/api/v1/redemptions"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "410", "422", "429"} <= set(responses)
    assert responses["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "RedemptionOut"
    )
    assert responses["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "RedemptionRefusedOut"
    )
    assert {"200", "401", "403"} <= set(paths["/api/v1/sessions"]["get"]["responses"])
    undo = paths["/api/v1/sessions/{session_id}/undo"]["post"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(undo)


def test_codes_are_bounded_in_length_and_number(provider_api, book):
    client, _ = provider_api
    long = post(client, body(["K" * 100_000]))
    assert long.status_code == 422
    assert long.json()["code"] == "invalid_input"
    assert len(long.content) < 2_000  # the input is not echoed back
    many = post(client, body([f"CODE{i}" for i in range(51)]))
    assert many.status_code == 422
    assert many.json()["code"] == "invalid_input"


def test_a_redemption_costs_a_fixed_number_of_queries(provider_api, book, programme):
    """The hottest request of the API: the token (with the member, organisation, programme and
    accreditation), the passes found and locked in one query, then the session, the
    redemptions, the passes' status and the journal (one round trip on PostgreSQL, four
    statements on SQLite), however many passes are given; no throttle query for an accepted
    redemption."""
    client, _ = provider_api

    def statements(codes_):
        with CaptureQueriesContext(connection) as captured:
            response = post(client, body(codes_))
        assert response.status_code == 201, response.json()
        return [
            q["sql"].split()[0]
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]

    if connection.vendor == "postgresql":  # the session's key reserved by the lock query
        expected = ["SELECT", "SELECT", "INSERT"]
    else:
        expected = ["SELECT", "SELECT", "INSERT", "INSERT", "UPDATE", "INSERT"]
    assert statements([book[0][1]]) == expected
    assert statements([code for _, code in book[1:5]]) == expected
