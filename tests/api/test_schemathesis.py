"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis).

In-process (the WSGI application, no server), with a token of each role and with none: every
operation, with values generated from the schema — valid and invalid, and schemathesis'
boundary cases — never answers a 500, and answers only the statuses and bodies its schema
states. The programme holds something in every corner (``tests.scenario``), and some generated
ids and codes are swapped for real ones, so that the operations reach their rules.
"""

import json
import os
import zlib
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from passnum.api_v1 import api
from passnum.organisations.enums import OrganisationKind
from passnum.wsgi import application
from tests.conftest import token_for
from tests.scenario import build_scenario

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TOKEN = "/api/v1/auth/token"  # the only operation without a token
# Examples per operation and role, on top of schemathesis' boundary cases: enough to find a
# class of bug, few enough for ``make test``. PASSNUM_PROPERTY_EXAMPLES=20 multiplies them, for
# a longer search.
SCALE = int(os.environ.get("PASSNUM_PROPERTY_EXAMPLES", "1"))
MAX_EXAMPLES = 6 * SCALE
FULL = {
    "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
    "phases": {
        "stateful": {"enabled": False},
        # Methods no operation has (PUT, DELETE…) answer Django's 405, not the API's.
        "coverage": {"unexpected-methods": []},
    },
}
# Without a token, an operation that needs one answers 401 before reading anything.
LIGHT = {
    "generation": {"max-examples": 3 * SCALE, "mode": "all", "database": "none"},
    "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
}


def load_schema(config: dict):
    """The schema the API serves at ``/api/v1/openapi.json``, read without a request (tests are
    collected before any database or allowed host exists), run against the WSGI application."""
    loaded = schemathesis.openapi.from_dict(
        api.get_openapi_schema(), config=schemathesis.Config.from_dict(config)
    )
    loaded.app = application
    return loaded


with_token = load_schema(FULL).exclude(path=TOKEN)
without_token = load_schema(LIGHT).exclude(path=TOKEN)
token_operation = load_schema(FULL).include(path=TOKEN)


@pytest.fixture
def scenario(programme, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    return build_scenario(programme)


@pytest.fixture(params=list(OrganisationKind))
def headers(request, scenario):
    """A bearer token of a member of each role."""
    token = token_for(Client(), scenario.actors[request.param].user.username)
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def connection_kept():
    """As Django's test client does around a request: the WSGI handler would close the
    database connection at its end, and with it the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def real_values(scenario) -> dict:
    """Values of the scenario, by the name of the field or parameter that takes them."""
    return {
        "referral_id": [scenario.pending_referral.pk, scenario.prescribed_referral.pk],
        "session_id": [scenario.session.pk],
        "statement_id": [scenario.statement.pk],
        "job_id": [export.pk for export in scenario.export_files],
        "path_id": [scenario.path.pk],
        "place_id": [scenario.place.pk],
        "beneficiary_id": [scenario.pending_referral.beneficiary_id],
        "organisation_id": [actor.organisation.pk for actor in scenario.actors.values()],
        "commune_insee": ["48095", "48061"],
        "code": scenario.codes,
        "username": [actor.user.username for actor in scenario.actors.values()],
    }


def pick(generated, choices: list):
    """For about half the generated values, one of ``choices`` instead, chosen by the value
    itself (the same case always sends the same thing: failures replay)."""
    digest = zlib.crc32(repr(generated).encode())
    if digest % 2:
        return generated
    return choices[(digest // 2) % len(choices)]


def with_real_values(case, scenario) -> None:
    """Ids, codes and communes of the scenario in place of some generated ones: generated ids
    name nothing, and the rules behind « not found » would never run."""
    values = real_values(scenario)

    def swap(container: dict) -> None:
        for name, value in list(container.items()):
            if isinstance(value, dict):
                swap(value)
            elif name == "codes" and isinstance(value, list) and value:
                container[name] = [pick(v, scenario.codes) for v in value]
            elif name in values:
                container[name] = pick(value, values[name])

    for container in (case.path_parameters, case.query, case.body):
        if isinstance(container, dict):
            swap(container)


def call(case, scenario, headers=None):
    with_real_values(case, scenario)
    with connection_kept():
        case.call_and_validate(headers=headers or {}, checks=CHECKS)


SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)


@with_token.parametrize()
@SETTINGS
def test_with_a_token_of_each_role(case, headers, scenario):
    call(case, scenario, headers)


@without_token.parametrize()
@SETTINGS
def test_without_a_token(case, scenario):
    call(case, scenario)


@token_operation.parametrize()
@SETTINGS
def test_asking_for_a_token(case, scenario):
    call(case, scenario)


def test_the_schema_tested_is_the_one_served(db):
    served = Client().get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(api.get_openapi_schema()))
