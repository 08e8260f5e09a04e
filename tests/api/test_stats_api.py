from datetime import date, timedelta

import pytest
from django.utils import timezone

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

    with django_assert_max_num_queries(14):  # token, then the indicators' fixed queries
        response = operator.get(URL)

    assert response.status_code == 200
    data = response.json()
    today = timezone.localdate()
    assert data["budget"] == {
        "envelope_cents": 4_000_000,
        "engineering_cents": 400_000,
        "pass_budget_cents": 3_600_000,
        "passes_total": 3600,
        "committed_cents": 5000,
        "consumed_cents": 0,
        "available_cents": 3_600_000 - 5000,
        # 5 000 cents prescribed in 90 days: 3 595 000 more would take 90 × 719 days.
        "runs_out_on": (today + timedelta(days=(3_600_000 - 5000) * 90 // 5000)).isoformat(),
    }
    assert data["passes"] == {
        "available": 15,
        "assigned": 5,
        "redeemed": 0,
        "reimbursed": 0,
        "expired": 0,
        "cancelled": 0,
    }
    assert data["usage_rate"] == 0.0
    assert data["checkbooks"] == {"prescribed": 1, "started": 0, "finished": 0}
    assert data["people"] == 1
    assert data["median_days_to_first_use"] is None
    assert data["pic_share"] == 0.0
    assert data["pic_target"] == 0.5
    assert data["by_public"] == {
        **{code: int(code in ("rsa", "primo_arrivant")) for code in Public.values},
        "hors_public_prioritaire": 0,
    }
    assert data["by_service"] == {
        code: int(code in ("outils_quotidien", "securite")) for code in Service.values
    }
    mende = prescribed.beneficiary.commune
    assert data["by_commune"] == {
        mende.insee_code: {
            "name": mende.name,
            "epci_code": "",
            "prescribed": 1,
            "passes_used": 0,
        }
    }
    assert data["by_month"][today.strftime("%Y-%m")] == {"prescribed": 1, "passes_used": 0}
    assert data["used"] == {"passes": 0, "cents": 0}
    assert data["by_provider"] == []
    assert data["by_path"] == []
    assert [y["number"] for y in data["by_year"]] == [1, 2, 3]
    assert data["funders"] == []
    assert data["reminders"] == {
        "reminded": 0,
        "resumed_after_reminder": 0,
        "not_reminded": 0,
        "resumed_without_reminder": 0,
    }
    assert department.get(URL).json() == data


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-02-30", "La date de début « 2026-02-30 » n'est pas une date valide"),
        ("to=demain", "La date de fin « demain » n'est pas une date valide"),
        ("from=2026-05-01&to=2026-04-01", "La date de début de la période est postérieure"),
        ("from=%C2%B2", "n'est pas une date valide"),
    ],
)
def test_invalid_dates_are_refused(api_as, query, message):
    client, _ = api_as(Kind.OPERATOR)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert message in response.json()["detail"]


@pytest.mark.parametrize("query", ["public=nimporte", "commune=Mende", "provider_id=0"])
def test_invalid_filters_are_refused(api_as, query):
    client, _ = api_as(Kind.FUNDER)
    assert client.get(f"{URL}?{query}").status_code == 422


def test_the_period_and_filters_narrow_the_figures(api_as, make_actor, programme):
    department = make_actor(Kind.DEPARTMENT)
    generate_passes(programme, 10)
    from passnum.referrals.services import prescribe

    prescribe(department, referral_in(programme, publics=["rsa"]), today=date(2026, 2, 3))
    prescribe(department, referral_in(programme, publics=[]), today=date(2026, 5, 3))
    client, _ = api_as(Kind.FUNDER)
    assert client.get(URL).json()["checkbooks"]["prescribed"] == 2
    assert client.get(f"{URL}?from=2026-03-01").json()["checkbooks"]["prescribed"] == 1
    assert client.get(f"{URL}?to=2026-02-28").json()["checkbooks"]["prescribed"] == 1
    assert client.get(f"{URL}?public=rsa").json()["checkbooks"]["prescribed"] == 1
    narrowed = client.get(f"{URL}?public=hors_public_prioritaire&from=2026-01-01&to=2026-12-31")
    assert narrowed.json()["by_public"]["hors_public_prioritaire"] == 1
    assert narrowed.json()["passes"]["assigned"] == 5


def test_a_new_programme_has_its_whole_budget(api_as):
    client, _ = api_as(Kind.DEPARTMENT)
    data = client.get(URL).json()
    assert data["budget"]["available_cents"] == 3_600_000
    assert data["budget"]["committed_cents"] == 0
    assert set(data["passes"].values()) == {0}
    assert data["usage_rate"] == 0
    assert list(data["by_public"]) == [*Public.values, "hors_public_prioritaire"]
    assert list(data["by_service"]) == Service.values
