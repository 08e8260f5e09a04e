import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from passnum.accounts.models import User
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Membership, Organisation
from passnum.programmes.models import Funder, Programme
from passnum.programmes.selectors import programme_overview
from passnum.territories.models import Commune

DEMO_ROLES = {
    "orienteur": ("referrer", "Mission Locale Lozère"),
    "departement": ("department", "Département de la Lozère — DTIP"),
    "structure": ("provider", "France services de Mende"),
    "pilote": ("operator", "Lozère Développement"),
}


def snapshot():
    return {
        "programmes": list(Programme.objects.values_list("pk", "name", "envelope_cents")),
        "funders": list(Funder.objects.values_list("name", "share_basis_points").order_by("name")),
        "communes": Commune.objects.count(),
        "organisations": sorted(Organisation.objects.values_list("kind", "name")),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "memberships": sorted(
            Membership.objects.values_list("user__username", "organisation__name", "is_admin")
        ),
    }


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("demo", "--no-serve")


def test_demo_refuses_outside_debug(db, settings):
    settings.DEBUG = False
    Programme.objects.create(
        name="Existant",
        territory_code="48",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        envelope_cents=100,
    )
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo", "--no-serve")
    assert Programme.objects.filter(name="Existant").exists()


def test_demo_content(demo):
    programme = Programme.objects.get()
    assert programme.name == "Pass numérique Lozère 2026-2028"
    budget = programme_overview(programme).budget
    assert (budget.envelope_cents, budget.engineering_cents) == (40_000_00, 4_000_00)
    assert (budget.passes_total, budget.checkbooks_total) == (3600, 720)
    assert str(programme.starts_on) == "2026-01-01"
    assert Commune.objects.count() == 152
    providers = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
    assert providers.count() == 37  # the real places of lieux-inclusion-48.csv
    assert providers.filter(name="France services Marvejols", commune__insee_code="48092").exists()
    referrers = set(
        Organisation.objects.filter(kind=OrganisationKind.REFERRER).values_list("name", flat=True)
    )
    assert referrers == {
        "Mission Locale Lozère",
        "France Travail Mende",
        "CCAS de Mende",
        "Département de la Lozère — services sociaux",
    }
    funders = programme_overview(programme).funders
    assert [(f.funder.kind, f.of_envelope_cents) for f in funders] == [
        ("department", 20_000_00),
        ("state", 20_000_00),
    ]


def test_demo_twice_gives_the_same_result(demo):
    first = snapshot()
    call_command("demo", "--no-serve")
    assert snapshot() == first


@pytest.mark.parametrize("username", list(DEMO_ROLES))
def test_demo_accounts_log_in_on_the_web_and_the_api(demo, username):
    role, organisation = DEMO_ROLES[username]
    web = Client()
    response = web.post("/connexion/", {"username": username, "password": "passnum-demo"})
    assert response.status_code == 302
    assert organisation in web.get("/espace/").content.decode()

    api = Client()
    token = api.post(
        "/api/v1/auth/token",
        {"username": username, "password": "passnum-demo"},
        content_type="application/json",
    ).json()["token"]
    me = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").json()
    assert me["role"] == role
    assert me["organisation"]["kind"] == role
    assert me["organisation"]["name"] == organisation
    assert me["programme"]["name"] == "Pass numérique Lozère 2026-2028"
