import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from passnum.accounts.models import User
from passnum.demo.lozere import DEMO_REFERRALS
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Membership, Organisation
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.paths.models import Path, PathOffer
from passnum.programmes.models import Funder, Programme
from passnum.programmes.selectors import programme_overview
from passnum.providers.models import AccreditationEvent, AccreditationStatus, Place
from passnum.referrals.models import Referral
from passnum.territories.models import Commune

DEMO_LAST_NAMES = {last for _, last, *_ in DEMO_REFERRALS}
DEMO_ROLES = {
    "orienteur": ("referrer", "Mission Locale Lozère"),
    "orienteur2": ("referrer", "France Travail Mende"),
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
        "passes": list(Pass.objects.values_list("serial", "status").order_by("serial")),
        "places": sorted(Place.objects.values_list("name", "services")),
        "referrals": sorted(Referral.objects.values_list("beneficiary__first_name", "tier")),
        "memberships": sorted(
            Membership.objects.values_list("user__username", "organisation__name", "is_admin")
        ),
    }


@pytest.fixture
def demo(transactional_db, settings):
    """The demo with a small past year (tests/demo/test_past_year.py loads the full one)."""
    settings.DEBUG = True
    call_command("demo", "--no-serve", "--scale", "0.1")


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
    call_command("demo", "--no-serve", "--scale", "0.1")
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


def test_demo_has_the_programme_stock_places_and_a_queue(demo):
    programme = Programme.objects.get()
    passes = Pass.objects.filter(programme=programme, replaces__isnull=True)
    assert passes.count() == 3600
    assert passes.order_by("serial").first().serial == "48-2026-000001"
    assert passes.order_by("serial").last().serial == "48-2026-003600"
    # most of the stock is still there after the past year
    assert passes.filter(status=PassStatus.AVAILABLE).count() > 3000
    places = Place.objects.filter(organisation__programme=programme)
    assert places.count() == 37
    assert not places.exclude(organisation__accreditation__status=AccreditationStatus.ACCREDITED)
    assert all(p.services for p in places)
    # The six referrals of today wait in the queue, with late November's.
    queue = Referral.objects.filter(programme=programme, status="pending").in_queue_order()
    today = [r.tier for r in queue if r.beneficiary.last_name in DEMO_LAST_NAMES]
    assert today == [1, 1, 1, 2, 2, 3]
    assert len(queue) > 6


def test_demo_shows_a_cross_organisation_duplicate(demo):
    """Nadia is oriented by the Mission Locale and by France Travail: neither sees the other's
    record; the Département sees both flagged."""
    second = Client()
    second.post("/connexion/", {"username": "orienteur2", "password": "passnum-demo"})
    assert "Doublon possible" not in second.get("/espace/orientations/").content.decode()
    department = Client()
    department.post("/connexion/", {"username": "departement", "password": "passnum-demo"})
    assert department.get("/espace/file/").content.decode().count("Doublon possible") == 2


def test_demo_accounts_walk_the_whole_flow(demo):
    """Orient, prescribe, look the pass up as the provider, read the budget as the operator."""

    def api_for(username):
        token = (
            Client()
            .post(
                "/api/v1/auth/token",
                {"username": username, "password": "passnum-demo"},
                content_type="application/json",
            )
            .json()["token"]
        )
        return Client(headers={"Authorization": f"Bearer {token}"})

    before = api_for("pilote").get("/api/v1/stats").json()
    referral = api_for("orienteur").post(
        "/api/v1/referrals",
        {
            "beneficiary": {
                "first_name": "Paul",
                "last_name": "Parcours",
                "birth_date": "1970-06-01",
                "commune_insee": "48095",
            },
            "publics": ["rsa"],
            "needs": ["outils_quotidien"],
        },
        content_type="application/json",
    )
    assert referral.status_code == 201, referral.content
    prescribed = api_for("departement").post(
        f"/api/v1/referrals/{referral.json()['id']}/prescribe", content_type="application/json"
    )
    assert prescribed.status_code == 201, prescribed.content
    code = prescribed.json()["checkbook"]["passes"][0]["code"]
    seen = api_for("structure").post(
        "/api/v1/passes/lookup", {"code": code}, content_type="application/json"
    )
    assert seen.status_code == 200
    assert seen.json()["status"] == "assigned"
    stats = api_for("pilote").get("/api/v1/stats").json()
    assert stats["budget"]["committed_cents"] == before["budget"]["committed_cents"] + 5000
    assert stats["passes"]["available"] == before["passes"]["available"] - 5

    # The provider redeems two passes for a two-hour session, the operator pays its statement.
    from django.utils import timezone

    today = timezone.localdate()
    passes = prescribed.json()["checkbook"]["passes"]
    redeemed = api_for("structure").post(
        "/api/v1/redemptions",
        {
            "codes": [passes[0]["code"], passes[1]["code"].lower().replace("-", " ")],
            "date": today.isoformat(),
            "duration_minutes": 120,
            "services": ["outils_quotidien"],
        },
        content_type="application/json",
    )
    assert redeemed.status_code == 201, redeemed.content
    assert redeemed.json()["amount_cents"] == 2000
    pilote = api_for("pilote")
    generated = pilote.post(
        "/api/v1/statements/generate",
        {"period": today.strftime("%Y-%m")},
        content_type="application/json",
    )
    assert generated.status_code == 201, generated.content
    # The month's statement of the provider: these two passes (and any session of the past
    # year's story declared this month).
    (statement,) = [
        s for s in generated.json()["items"] if s["provider"]["name"] == "France services de Mende"
    ]
    assert statement["passes_count"] >= 2
    assert statement["amount_cents"] == 1000 * statement["passes_count"]
    assert pilote.post(f"/api/v1/statements/{statement['id']}/validate").status_code == 200
    paid = pilote.post(
        f"/api/v1/statements/{statement['id']}/pay",
        {"paid_on": today.isoformat(), "reference": "VIR-DEMO-1"},
        content_type="application/json",
    )
    assert paid.status_code == 200, paid.content
    budget = pilote.get("/api/v1/stats").json()["budget"]
    assert budget["committed_cents"] == before["budget"]["committed_cents"] + 3000
    assert budget["consumed_cents"] == before["budget"]["consumed_cents"] + 2000


def test_demo_paths_and_their_offers(demo):
    programme = Programme.objects.get()
    paths = {p.name: p for p in Path.objects.filter(programme=programme)}
    assert set(paths) == {"Accès aux droits", "Identité numérique", "Parentalité numérique"}
    assert paths["Accès aux droits"].services == ["demarches_administratives", "securite"]
    assert paths["Identité numérique"].services == ["securite", "comprehension"]
    assert paths["Parentalité numérique"].services == ["parentalite", "outils_quotidien"]
    modules = [(m.title, m.hours) for m in paths["Accès aux droits"].modules.all()]
    assert modules == [
        ("Créer son espace France Connect", 2),
        ("Déclarer en ligne", 2),
        ("Sécuriser ses comptes", 1),
    ]
    for path in paths.values():
        assert path.is_active
        assert path.total_hours > 0
        offered_at = set(PathOffer.objects.filter(path=path).values_list("place", flat=True))
        covering = {
            place.pk
            for place in Place.objects.filter(organisation__programme=programme)
            if set(path.services) <= set(place.services)
        }
        assert offered_at == covering  # at every place whose services cover the path
        assert offered_at
    # the demo provider's place offers the administrative path
    assert PathOffer.objects.filter(
        path=paths["Accès aux droits"], place__organisation__name="France services de Mende"
    ).exists()


def test_demo_accreditations_have_their_history(demo):
    providers = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
    events = AccreditationEvent.objects.select_related("accreditation", "user")
    assert events.count() == providers.count() == 37
    assert {(e.before, e.after, e.user.username) for e in events} == {
        (AccreditationStatus.SUBMITTED, AccreditationStatus.ACCREDITED, "pilote")
    }
    assert {e.accreditation.organisation_id for e in events} == set(
        providers.values_list("pk", flat=True)
    )


def test_demo_providers_can_be_paid(demo):
    from schwifty import IBAN

    from passnum.providers.models import BankDetails

    programme = Programme.objects.get()
    assert IBAN(programme.payer_iban).bic == programme.payer_bic
    details = BankDetails.objects.filter(organisation__programme=programme)
    assert details.count() == 37
    for detail in details:
        IBAN(detail.iban)  # valid checksum, or raises
    assert len({d.iban for d in details}) == 37
