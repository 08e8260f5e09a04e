"""GET /api/v1/misuse: the operator's misuse signals, as on its « Signalements » page."""

import pytest

from passnum.organisations.enums import OrganisationKind
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from tests.factories import OrganisationFactory, ReferralFactory
from tests.reporting.factories import redeem_directly

Kind = OrganisationKind
URL = "/api/v1/misuse"
SIRET = "13002526500013"


@pytest.fixture
def signals(programme, make_actor):
    department = make_actor(Kind.DEPARTMENT)
    referrer = OrganisationFactory(programme=programme, kind=Kind.REFERRER, siret=SIRET)
    provider = OrganisationFactory(
        programme=programme, kind=Kind.PROVIDER, name="Ateliers de la Mission", siret=SIRET
    )
    generate_passes(programme, 25)
    checkbooks = [
        prescribe(
            department, ReferralFactory(beneficiary__programme=programme, organisation=referrer)
        ).checkbook
        for _ in range(5)
    ]
    passes = [p for c in checkbooks for p in c.passes.order_by("serial")]
    redeem_directly(provider, passes[:16])  # 16 passes of 4 checkbooks, in one day
    return provider


def test_the_operator_reads_both_signals(api_as, signals, django_assert_max_num_queries):
    client, _ = api_as(Kind.OPERATOR)
    with django_assert_max_num_queries(3):  # token, self-referred, bursts
        response = client.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["self_referred"] == [
        {
            "organisation_id": signals.pk,
            "name": "Ateliers de la Mission",
            "siret": SIRET,
            "self_referred": 16,
            "redeemed": 16,
            "share": 1.0,
        }
    ]
    [burst] = data["bursts"]
    assert (burst["organisation_id"], burst["passes"], burst["checkbooks"]) == (signals.pk, 16, 4)
    assert (data["burst_min_passes"], data["burst_min_checkbooks"]) == (15, 4)


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER, Kind.FUNDER])
def test_no_one_else_reads_them(api_as, signals, kind):
    client, _ = api_as(kind)
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json()["detail"] == "Seul le pilote du programme voit ces signalements."
