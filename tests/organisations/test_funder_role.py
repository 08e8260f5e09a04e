"""The co-funder (`funder`) reads the indicators of the programme it funds, nothing else."""

import pytest

from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import CAPABILITIES, Capability, can
from tests.factories import ReferralFactory

Kind = OrganisationKind


def test_a_funder_only_reads_indicators_and_reports(make_actor):
    funder = make_actor(Kind.FUNDER)
    assert CAPABILITIES[Kind.FUNDER] == {Capability.VIEW_STATS, Capability.VIEW_REPORTS}
    assert can(funder, Capability.VIEW_STATS)
    assert not can(funder, Capability.VIEW_REFERRALS)
    assert not can(funder, Capability.EXPORT)


@pytest.fixture
def funder_client(client, make_actor):
    funder = make_actor(Kind.FUNDER)
    client.force_login(funder.user)
    return client


@pytest.mark.parametrize("path", ["/espace/", "/espace/programme/"])
def test_a_funder_reads_the_dashboard_and_the_budget(funder_client, path):
    response = funder_client.get(path)
    assert response.status_code == 200
    assert "Financeur" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/espace/orientations/",
        "/espace/orientations/nouvelle/",
        "/espace/file/",
        "/espace/encaisser/",
        "/espace/seances/",
        "/espace/releves/",
        "/espace/signalements/",
        "/espace/structures/",
        "/espace/structures/lieux.csv",
        "/espace/parcours/",
        "/espace/courriels/",
    ],
)
def test_a_funder_is_refused_everything_else_on_the_site(funder_client, path):
    assert funder_client.get(path).status_code == 403


def test_a_funder_sees_no_referral_by_id(funder_client, programme):
    referral = ReferralFactory(beneficiary__programme=programme)
    response = funder_client.get(f"/espace/orientations/{referral.pk}/")
    assert response.status_code in (403, 404)
    assert referral.beneficiary.last_name not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/referrals"),
        ("get", "/api/v1/statements"),
        ("get", "/api/v1/sessions"),
        ("get", "/api/v1/emails"),
    ],
)
def test_a_funder_is_refused_everything_else_on_the_api(api_as, method, path):
    client, _ = api_as(Kind.FUNDER)
    response = getattr(client, method)(path)
    assert response.status_code == 403, (path, response.content)
