import pytest
from django.db import connection
from django.test import Client

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.territories.services import load_communes

from .factories import PASSWORD, MembershipFactory, OrganisationFactory, ProgrammeFactory

ROLES = list(OrganisationKind)


def pytest_collection_modifyitems(config, items):
    if not config.pluginmanager.hasplugin("xdist"):
        return  # xdist_group is xdist's own marker, unknown under -p no:xdist
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("nécessite PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


@pytest.fixture
def communes(db):
    """The 152 real communes of Lozère, from the bundled INSEE-derived files."""
    load_communes("48")


@pytest.fixture
def make_actor(programme):
    """make_actor(kind, **membership_fields) -> Actor of a new member of a new organisation."""

    def make(kind: OrganisationKind, *, organisation=None, **fields):
        organisation = organisation or OrganisationFactory(programme=programme, kind=kind)
        membership = MembershipFactory(organisation=organisation, **fields)
        return Actor(membership)

    return make


def token_for(client: Client, username: str, password: str = PASSWORD, **extra) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api_as(client, make_actor):
    """api_as(kind) -> (Client whose requests carry a bearer token, Actor)."""

    def make(kind: OrganisationKind, **fields):
        actor = make_actor(kind, **fields)
        token = token_for(client, actor.user.username)
        return Client(headers={"Authorization": f"Bearer {token}"}), actor

    return make
