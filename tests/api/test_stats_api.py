import pytest

from passnum.organisations.enums import OrganisationKind
from passnum.passes.services import generate_passes
from passnum.referential.enums import Public, Service
from passnum.referrals.services import reject
from tests.factories import ProgrammeFactory, ReferralFactory

Kind = OrganisationKind
URL = "/api/v1/stats"


def referral_in(programme, **fields):
    return ReferralFactory(beneficiary__programme=programme, **fields)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Kind.REFERRER, 403),
        (Kind.DEPARTMENT, 200),
        (Kind.PROVIDER, 403),
        (Kind.OPERATOR, 200),
        (Kind.FUNDER, 200),
    ],
)
def test_who_may_see_the_indicators(api_as, programme, kind, expected):
    client, _ = api_as(kind)
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {
            "detail": "Votre rôle ne donne pas accès aux indicateurs du programme.",
            "code": "forbidden",
        }
    else:
        assert response.json()["budget"]["envelope_cents"] == 4_000_000


def test_lozere_figures_after_one_prescription(
    api_as, make_actor, programme, django_assert_max_num_queries
):
    department, _ = api_as(Kind.DEPARTMENT)
    operator, _ = api_as(Kind.OPERATOR)
    generate_passes(programme, 20)
    prescribed = referral_in(
        programme, publics=["rsa", "primo_arrivant"], needs=["outils_quotidien", "securite"]
    )
    referral_in(programme, publics=["rsa"], needs=["parentalite"])  # still pending
    reject(
        make_actor(Kind.DEPARTMENT),
        referral_in(programme, publics=["senior"], needs=["securite"]),
        "Déjà autonome.",
    )
    ProgrammeFactory()  # another programme, with nothing
    other = ProgrammeFactory()
    generate_passes(other, 10)
    response = department.post(
        f"/api/v1/referrals/{prescribed.pk}/prescribe", content_type="application/json"
    )
    assert response.status_code == 201

    with django_assert_max_num_queries(3):  # token, ledger, prescribed referrals
        response = operator.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "budget": {
            "envelope_cents": 4_000_000,
            "engineering_cents": 400_000,
            "pass_budget_cents": 3_600_000,
            "passes_total": 3600,
            "committed_cents": 5000,
            "consumed_cents": 0,
            "available_cents": 3_600_000 - 5000,
        },
        "passes": {
            "available": 15,
            "assigned": 5,
            "redeemed": 0,
            "reimbursed": 0,
            "expired": 0,
            "cancelled": 0,
        },
        "usage_rate": 0.0,
        "by_public": {code: int(code in ("rsa", "primo_arrivant")) for code in Public.values},
        "by_service": {
            code: int(code in ("outils_quotidien", "securite")) for code in Service.values
        },
    }
    assert department.get(URL).json() == response.json()


def test_a_new_programme_has_its_whole_budget(api_as):
    client, _ = api_as(Kind.DEPARTMENT)
    data = client.get(URL).json()
    assert data["budget"]["available_cents"] == 3_600_000
    assert data["budget"]["committed_cents"] == 0
    assert set(data["passes"].values()) == {0}
    assert data["usage_rate"] == 0
    assert list(data["by_public"]) == Public.values
    assert list(data["by_service"]) == Service.values
