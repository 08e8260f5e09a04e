"""The statements API: list (own or all), generate, validate, pay; errors and refusals."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes.models import Pass
from passnum.redemptions.models import Redemption
from passnum.statements.models import Statement
from tests.conftest import token_for
from tests.factories import MembershipFactory, ProgrammeFactory
from tests.statements.factories import accredited_provider, assigned_passes, redeem_directly

Kind = OrganisationKind
URL = "/api/v1/statements"
TODAY = timezone.localdate()
PERIOD = f"{TODAY:%Y-%m}"
ONLY_OPERATOR = {
    "detail": "Seul le pilote peut valider et payer les relevés.",
    "code": "forbidden",
}


def state() -> dict:
    return {
        "statements": list(
            Statement.objects.order_by("pk").values_list("pk", "status", "payment_reference")
        ),
        "redemptions": list(Redemption.objects.order_by("pk").values_list("pk", "statement_id")),
        "passes": list(Pass.objects.order_by("pk").values_list("pk", "status")),
        "journal": JournalEntry.objects.count(),
    }


@pytest.fixture
def providers(programme, make_actor):
    department = make_actor(Kind.DEPARTMENT)
    first = accredited_provider(programme, name="Atelier de Mende")
    second = accredited_provider(programme, name="Bus numérique")
    redeem_directly(assigned_passes(programme, department), first)
    redeem_directly(assigned_passes(programme, department)[:2], second)
    return first, second


@pytest.fixture
def operator_api(api_as):
    return api_as(Kind.OPERATOR)


def provider_client(client, organisation):
    membership = MembershipFactory(organisation=organisation)
    token = token_for(client, membership.user.username)
    return Client(headers={"Authorization": f"Bearer {token}"})


def generate(api, period=PERIOD):
    return api.post(f"{URL}/generate", {"period": period}, content_type="application/json")


def test_generate_then_list(operator_api, providers):
    api, _ = operator_api
    first, second = providers
    response = generate(api)
    assert response.status_code == 201, response.content
    made = Statement.objects.order_by("organisation__name")
    assert response.json() == {
        "items": [
            {
                "id": made[0].pk,
                "provider": {"id": first.pk, "name": "Atelier de Mende"},
                "period": PERIOD,
                "status": "draft",
                "passes_count": 5,
                "amount_cents": 5000,
            },
            {
                "id": made[1].pk,
                "provider": {"id": second.pk, "name": "Bus numérique"},
                "period": PERIOD,
                "status": "draft",
                "passes_count": 2,
                "amount_cents": 2000,
            },
        ]
    }
    listed = api.get(URL).json()
    assert listed["count"] == 2
    assert listed["items"] == response.json()["items"]
    assert generate(api).json() == {"items": []}


def test_list_is_paginated_in_a_constant_number_of_queries(programme, make_actor, operator_api):
    api, _ = operator_api
    department = make_actor(Kind.DEPARTMENT)

    def add_statement(name):
        provider = accredited_provider(programme, name=name)
        redeem_directly(assigned_passes(programme, department)[:2], provider)
        generate(api)

    add_statement("Atelier A")
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).json()["count"] == 1
    one = len(queries)
    for name in ("Atelier B", "Atelier C", "Atelier D"):
        add_statement(name)
    with CaptureQueriesContext(connection) as queries:
        page = api.get(URL, {"limit": 2, "offset": 1}).json()
    assert len(queries) == one
    assert page["count"] == 4
    assert [i["provider"]["name"] for i in page["items"]] == ["Atelier B", "Atelier C"]


def test_a_provider_lists_only_its_own(client, operator_api, providers):
    api, _ = operator_api
    generate(api)
    _, second = providers
    response = provider_client(client, second).get(URL)
    assert response.status_code == 200
    assert [(i["provider"]["id"], i["amount_cents"]) for i in response.json()["items"]] == [
        (second.pk, 2000)
    ]


def test_filters_by_status_and_period(operator_api, providers):
    api, _ = operator_api
    generate(api)
    assert api.get(URL, {"status": "paid"}).json()["count"] == 0
    assert api.get(URL, {"period": PERIOD}).json()["count"] == 2
    response = api.get(URL, {"period": "novembre"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period"


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT])
def test_other_roles_cannot_list(api_as, kind):
    api, _ = api_as(kind)
    assert api.get(URL).status_code == 403


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_only_the_operator_changes_statements(api_as, operator_api, providers, kind):
    generate(operator_api[0])
    statement = Statement.objects.first()
    api, _ = api_as(kind)
    before = state()
    for response in (
        generate(api),
        api.post(f"{URL}/{statement.pk}/validate"),
        api.post(
            f"{URL}/{statement.pk}/pay",
            {"paid_on": TODAY.isoformat(), "reference": "VIR-1"},
            content_type="application/json",
        ),
    ):
        assert response.status_code == 403
        assert response.json() == ONLY_OPERATOR
    assert state() == before


def test_without_token(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("period", "code"),
    [("2026-13", "invalid_period"), ("2099-01", "period_in_future"), ("", "invalid_period")],
)
def test_generate_refuses_bad_periods(operator_api, providers, period, code):
    api, _ = operator_api
    before = state()
    response = generate(api, period)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["field"] == "period"
    assert state() == before


def test_generate_refuses_unknown_fields(operator_api, providers):
    api, _ = operator_api
    response = api.post(
        f"{URL}/generate", {"period": PERIOD, "all": True}, content_type="application/json"
    )
    assert response.status_code == 422
    assert Statement.objects.count() == 0


def test_validate_and_pay(operator_api, providers):
    api, _ = operator_api
    generate(api)
    statement = Statement.objects.get(organisation=providers[0])
    response = api.post(f"{URL}/{statement.pk}/validate")
    assert response.status_code == 200
    assert response.json()["status"] == "validated"
    again = api.post(f"{URL}/{statement.pk}/validate")
    assert (again.status_code, again.json()["code"]) == (409, "not_draft")

    before = state()
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = api.post(
        f"{URL}/{statement.pk}/pay",
        {"paid_on": future, "reference": "VIR-1"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "paid_on_in_future"
    assert response.json()["field"] == "paid_on"
    assert state() == before

    response = api.post(
        f"{URL}/{statement.pk}/pay",
        {"paid_on": TODAY.isoformat(), "reference": "VIR-2026-11"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert response.json()["amount_cents"] == 5000
    assert set(
        Pass.objects.filter(redemptions__statement=statement).values_list("status", flat=True)
    ) == {"reimbursed"}


def test_pay_a_draft_is_a_conflict(operator_api, providers):
    api, _ = operator_api
    generate(api)
    statement = Statement.objects.first()
    response = api.post(
        f"{URL}/{statement.pk}/pay",
        {"paid_on": TODAY.isoformat(), "reference": "VIR-1"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "not_validated")


def test_validate_without_bank_details_is_a_conflict(programme, make_actor, operator_api):
    department = make_actor(Kind.DEPARTMENT)
    provider = accredited_provider(programme, bank=False)
    redeem_directly(assigned_passes(programme, department), provider)
    api, _ = operator_api
    generate(api)
    statement = Statement.objects.get()
    before = state()
    response = api.post(f"{URL}/{statement.pk}/validate")
    assert (response.status_code, response.json()["code"]) == (409, "no_bank_details")
    assert state() == before


def test_unknown_or_other_programme_statement_is_not_found(operator_api, providers):
    api, _ = operator_api
    elsewhere = accredited_provider(ProgrammeFactory())
    theirs = Statement.objects.create(
        programme=elsewhere.programme, organisation=elsewhere, period=TODAY.replace(day=1)
    )
    for statement_id in (999_999, theirs.pk):
        response = api.post(f"{URL}/{statement_id}/validate")
        assert response.status_code == 404
        assert response.json() == {"detail": "Relevé introuvable.", "code": "not_found"}
    theirs.refresh_from_db()
    assert theirs.status == "draft"


def test_openapi_documents_the_routes(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/statements/{statement_id}/pay"]["post"]["responses"]) >= {
        "200",
        "403",
        "404",
        "409",
        "422",
    }
    assert "201" in paths["/api/v1/statements/generate"]["post"]["responses"]
