"""The OpenAPI description states what a client needs to trust it: the enumerations, the
bounds, and every status each operation can answer (schemathesis checks the server agrees:
``test_schemathesis``)."""

import pytest
from django.test import Client

from passnum.common.ids import MAX_ID
from passnum.passes.enums import PassStatus
from passnum.redemptions.exceptions import REASONS
from passnum.redemptions.models import PlaceType, SessionKind
from passnum.referential.enums import Public, Service
from passnum.statements.models import StatementStatus


@pytest.fixture(scope="module")
def schema():
    from passnum.api_v1 import api

    return api.get_openapi_schema()


def served(db):
    return Client().get("/api/v1/openapi.json").json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def component(document, name):
    return document["components"]["schemas"][name]


def enum_of(document, reference):
    """The values of an enumeration, named (a component) or inline (a ``Literal``)."""
    if "enum" in reference:
        return reference["enum"]
    return component(document, reference["$ref"].rsplit("/", 1)[1])["enum"]


def test_every_operation_states_the_kit_s_statuses(db):
    document = served(db)
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        label = f"{method.upper()} {path}"
        if operation.get("security"):
            assert "401" in statuses, label
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in statuses, label
        if operation.get("requestBody"):
            assert {"413", "415"} <= statuses, label
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert "detail" in component(document, ref.rsplit("/", 1)[1])["required"]


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/passes/lookup", "post", {"200", "401", "403", "404", "422", "429"}),
        (
            "/api/v1/redemptions",
            "post",
            {"201", "401", "403", "404", "409", "410", "413", "415", "422", "429"},
        ),
        ("/api/v1/sessions", "get", {"200", "401", "403", "422"}),
        ("/api/v1/sessions/{session_id}/undo", "post", {"200", "401", "403", "404", "409", "422"}),
        ("/api/v1/statements", "get", {"200", "401", "403", "422"}),
        ("/api/v1/statements/generate", "post", {"201", "401", "403", "422"}),
        (
            "/api/v1/statements/{statement_id}/validate",
            "post",
            {"200", "401", "403", "404", "409", "422"},
        ),
        (
            "/api/v1/statements/{statement_id}/pay",
            "post",
            {"200", "401", "403", "404", "409", "422"},
        ),
        ("/api/v1/stats", "get", {"200", "401", "403"}),
        ("/api/v1/referential", "get", {"200", "401"}),
    ],
)
def test_statuses_of_each_operation(db, path, method, statuses):
    assert statuses <= set(served(db)["paths"][path][method]["responses"])


def test_the_code_travels_in_a_body(schema):
    assert "/api/v1/passes/{code}" not in schema["paths"]
    lookup = schema["paths"]["/api/v1/passes/lookup"]
    assert set(lookup) == {"post"}
    body = component(schema, "LookupIn")
    assert body["required"] == ["code"]
    assert body["properties"]["code"]["maxLength"] == 40
    assert enum_of(schema, component(schema, "PassOut")["properties"]["status"]) == list(
        PassStatus.values
    )


def test_enumerations(schema):
    redemption = component(schema, "RedemptionIn")["properties"]
    assert enum_of(schema, redemption["services"]["items"]) == list(Service.values)
    assert enum_of(schema, {"$ref": "#/components/schemas/PlaceType"}) == list(PlaceType.values)
    assert enum_of(schema, {"$ref": "#/components/schemas/SessionKind"}) == list(
        SessionKind.values
    )
    assert component(schema, "RefusedPass")["properties"]["reason"]["enum"] == list(REASONS)
    statements = {p["name"]: p for p in schema["paths"]["/api/v1/statements"]["get"]["parameters"]}
    assert enum_of(schema, statements["status"]["schema"]["anyOf"][0]) == list(
        StatementStatus.values
    )
    referential = schema["paths"]["/api/v1/referential"]["get"]
    assert referential["responses"][200]["content"]["application/json"]["schema"]["$ref"].endswith(
        "Referential"
    )
    assert enum_of(schema, component(schema, "PublicItem")["properties"]["code"]) == list(
        Public.values
    )
    assert enum_of(schema, component(schema, "ServiceItem")["properties"]["code"]) == list(
        Service.values
    )
    stats = component(schema, "StatsOut")["properties"]
    assert enum_of(schema, stats["by_public"]["propertyNames"]) == [
        *Public.values,
        "hors_public_prioritaire",
    ]
    assert enum_of(schema, stats["by_service"]["propertyNames"]) == list(Service.values)


def test_bounds(schema):
    redemption = component(schema, "RedemptionIn")["properties"]
    assert (redemption["codes"]["minItems"], redemption["codes"]["maxItems"]) == (1, 50)
    assert redemption["codes"]["items"]["maxLength"] == 40
    assert (
        redemption["duration_minutes"]["minimum"],
        redemption["duration_minutes"]["maximum"],
    ) == (
        60,
        480,
    )
    assert redemption["services"]["maxItems"] == len(Service)
    assert redemption["path_id"]["anyOf"][0] == {
        "maximum": MAX_ID,
        "minimum": 1,
        "type": "integer",
    }
    assert component(schema, "UndoIn")["properties"]["reason"]["maxLength"] == 2000
    assert component(schema, "PayIn")["properties"]["reference"]["maxLength"] == 140
    assert component(schema, "GenerateIn")["properties"]["period"]["pattern"]
    pagination = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/sessions"]["get"]["parameters"]
    }
    assert (pagination["limit"]["minimum"], pagination["limit"]["maximum"]) == (1, 200)
    assert (pagination["offset"]["minimum"], pagination["offset"]["maximum"]) == (0, 10**9)
    for path in (
        "/api/v1/sessions/{session_id}/undo",
        "/api/v1/statements/{statement_id}/validate",
        "/api/v1/statements/{statement_id}/pay",
    ):
        (parameter,) = schema["paths"][path]["post"]["parameters"]
        assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_ID)


def test_a_path_id_out_of_bounds_is_422(api_as):
    from passnum.organisations.enums import OrganisationKind

    client, _ = api_as(OrganisationKind.OPERATOR)
    for value in ("0", str(MAX_ID + 1), "abc"):
        response = client.post(f"/api/v1/statements/{value}/validate")
        assert response.status_code == 422, value
        assert response.json()["errors"][0]["field"] == "statement_id"
