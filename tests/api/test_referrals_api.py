import datetime
import re
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from passnum.beneficiaries.models import Beneficiary
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.enums import PassStatus
from passnum.passes.models import Checkbook, Pass
from passnum.passes.selectors import budget_for
from passnum.passes.services import generate_passes
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.exceptions import PossibleDuplicate
from passnum.referrals.models import Prescription, Referral
from passnum.referrals.services import prescribe, reject
from tests.conftest import token_for
from tests.factories import (
    BeneficiaryFactory,
    CommuneFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
    UserFactory,
)

Kind = OrganisationKind
URL = "/api/v1/referrals"
NOT_FOUND = {"detail": "Orientation introuvable.", "code": "not_found"}
ONLY_DEPARTMENT = {
    "detail": "Seul le Département peut prescrire un chéquier.",
    "code": "forbidden",
}
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def state() -> dict:
    """What a refused request must leave as it was."""
    return {
        "beneficiaries": Beneficiary.objects.count(),
        "referrals": dict(Referral.objects.values_list("pk", "status")),
        "passes": dict(Pass.objects.order_by().values_list("status").annotate(n=Count("pk"))),
        "checkbooks": Checkbook.objects.count(),
        "prescriptions": Prescription.objects.count(),
        "journal": JournalEntry.objects.count(),
    }


def years_ago(years: int) -> datetime.date:
    """A birth date giving exactly ``years`` years of age today."""
    return datetime.date(timezone.localdate().year - years, 1, 1)


def body(**person) -> dict:
    return {
        "beneficiary": {
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "birth_date": "1980-05-17",
            "commune_insee": "48095",
            **person,
        },
        "publics": ["rsa"],
        "needs": ["outils_quotidien"],
        "comment": "Souhaite faire ses démarches seule.",
    }


def post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def referral_in(programme, **fields) -> Referral:
    return ReferralFactory(beneficiary__programme=programme, **fields)


def own_referral(actor, programme) -> Referral:
    """A referral made by the actor's organisation (a referrer's only visible ones)."""
    return referral_in(programme, organisation=actor.organisation)


@pytest.fixture
def mende(db):
    return CommuneFactory()


@pytest.fixture
def department(make_actor):
    return make_actor(Kind.DEPARTMENT)


# --- POST /referrals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 201), (Kind.DEPARTMENT, 201), (Kind.PROVIDER, 403), (Kind.OPERATOR, 403)],
)
def test_who_may_refer(api_as, mende, kind, expected):
    client, actor = api_as(kind)
    before = state()
    response = post(client, URL, body())
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {
            "detail": "Seuls les orienteurs et le Département peuvent orienter une personne.",
            "code": "forbidden",
        }
        assert state() == before
    else:
        assert Referral.objects.get().organisation == actor.organisation


def test_refer_a_new_person(api_as, mende):
    client, actor = api_as(Kind.REFERRER)
    data = body(
        birth_date=years_ago(20).isoformat(),
        email=" jeanne@exemple.fr ",
        phone="04 66 00 00 00",
        notice_given_on="2026-02-01",
    )
    response = post(client, URL, data)
    assert response.status_code == 201
    referral = Referral.objects.get()
    person = Beneficiary.objects.get()
    # the age-based public the birth date implies is added; tier 1 thanks to rSa
    assert response.json() == {
        "id": referral.pk,
        "status": "pending",
        "tier": 1,
        "beneficiary_id": person.pk,
        "publics": ["rsa", "jeune"],
    }
    assert (person.first_name, person.last_name, person.commune) == ("Jeanne", "Dupont", mende)
    assert (person.email, person.phone) == ("jeanne@exemple.fr", "0466000000")
    assert person.notice_given_on == datetime.date(2026, 2, 1)
    assert referral.needs == ["outils_quotidien"]
    assert referral.comment == "Souhaite faire ses démarches seule."
    assert referral.created_by == actor.user
    assert list(JournalEntry.objects.values_list("subject_type", "action")) == [
        ("beneficiary", "created"),
        ("referral", "created"),
    ]


def test_notice_date_defaults_to_today(api_as, mende):
    client, _ = api_as(Kind.DEPARTMENT)
    assert post(client, URL, body()).status_code == 201
    assert Beneficiary.objects.get().notice_given_on == timezone.localdate()


def test_refer_reuses_the_one_person_with_the_same_identity(api_as, mende, programme):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    known = BeneficiaryFactory(
        programme=programme,
        created_by_organisation=own,
        first_name="Jeanne",
        last_name="Dupont",
        commune=mende,
    )
    response = post(client, URL, body(first_name="jeanne", last_name="DUPONT"))
    assert response.status_code == 201
    assert response.json()["beneficiary_id"] == known.pk
    assert Beneficiary.objects.count() == 1
    assert Referral.objects.get().beneficiary == known


def test_several_people_with_the_same_identity_are_listed_without_their_data(
    api_as, mende, programme
):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    people = [
        BeneficiaryFactory(
            programme=programme,
            created_by_organisation=own,
            first_name="Jeanne",
            last_name="Dupont",
            email=email,
        )
        for email in ("jeanne.a@exemple.fr", "jeanne.b@exemple.fr")
    ]
    before = state()
    response = post(client, URL, body())
    assert response.status_code == 409
    assert response.json() == {
        "detail": PossibleDuplicate.message,
        "code": "possible_duplicate",
        "candidates": [{"beneficiary_id": p.pk, "commune_insee": "48095"} for p in people],
    }
    assert "exemple.fr" not in response.content.decode()
    assert state() == before


def test_after_a_duplicate_the_client_picks_the_person(api_as, mende, programme):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    _first, second = (
        BeneficiaryFactory(
            programme=programme,
            created_by_organisation=own,
            first_name="Jeanne",
            last_name="Dupont",
        )
        for _ in range(2)
    )
    response = post(client, URL, {**body(), "beneficiary_id": second.pk})
    assert response.status_code == 201, response.content
    assert response.json()["beneficiary_id"] == second.pk
    assert Beneficiary.objects.count() == 2


def test_after_a_duplicate_the_client_confirms_a_new_person(api_as, mende, programme):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    known = BeneficiaryFactory(
        programme=programme, created_by_organisation=own, first_name="Jeanne", last_name="Dupont"
    )
    response = post(client, URL, {**body(), "new_person": True})
    assert response.status_code == 201, response.content
    assert response.json()["beneficiary_id"] != known.pk
    assert Beneficiary.objects.count() == 2


def test_an_identifier_alone_gives_access_to_no_one(api_as, mende, programme):
    """Choosing a person needs their identity: someone else's id is refused, nothing changes."""
    client, _ = api_as(Kind.REFERRER)
    stranger = BeneficiaryFactory(programme=programme, first_name="Paul", last_name="Martin")
    before = state()
    response = post(client, URL, {**body(), "beneficiary_id": stranger.pk})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "beneficiary_id"
    assert "ne correspond pas" in response.json()["detail"]
    assert state() == before


def test_a_namesake_in_another_commune_is_not_reused_silently(api_as, mende, programme):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    florac = CommuneFactory(insee_code="48061", name="Florac Trois Rivières")
    known = BeneficiaryFactory(
        programme=programme,
        created_by_organisation=own,
        first_name="Jeanne",
        last_name="Dupont",
        commune=florac,
    )
    response = post(client, URL, body())
    assert response.status_code == 409
    assert response.json()["candidates"] == [
        {"beneficiary_id": known.pk, "commune_insee": "48061"}
    ]


def test_names_in_another_script_are_told_apart(api_as, mende, programme):
    client, _ = api_as(Kind.REFERRER)
    ivan = post(client, URL, body(first_name="Иван", last_name="Петров"))
    maryam = post(client, URL, body(first_name="مريم", last_name="حسن"))
    assert ivan.status_code == maryam.status_code == 201
    assert ivan.json()["beneficiary_id"] != maryam.json()["beneficiary_id"]
    again = post(client, URL, body(first_name="иван", last_name="ПЕТРОВ"))
    assert again.status_code == 409  # the same person, already waiting
    assert again.json()["code"] == "already_pending"


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_control_characters_are_refused(api_as, mende, programme, field):
    client, _ = api_as(Kind.REFERRER)
    before = state()
    response = post(client, URL, body(**{field: "Jea\x00nne"}))
    assert response.status_code == 422
    assert "caractère de contrôle" in response.json()["detail"]
    assert state() == before


def test_a_person_already_waiting_is_refused(api_as, mende, programme):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    waiting = BeneficiaryFactory(
        programme=programme, created_by_organisation=own, first_name="Jeanne", last_name="Dupont"
    )
    referral_in(programme, beneficiary=waiting)
    before = state()
    response = post(client, URL, body())
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette personne a déjà une orientation en attente d'instruction.",
        "code": "already_pending",
    }
    assert state() == before


def test_a_person_with_a_checkbook_is_refused(api_as, mende, programme, department):
    client, actor = api_as(Kind.REFERRER)
    own = actor.organisation  # the people below were recorded by its own organisation
    generate_passes(programme, 5)
    holder = BeneficiaryFactory(
        programme=programme, created_by_organisation=own, first_name="Jeanne", last_name="Dupont"
    )
    prescribe(department, referral_in(programme, beneficiary=holder))
    before = state()
    response = post(client, URL, body())
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette personne a déjà reçu 1 chéquier(s) : c'est le maximum permis par le "
        "programme.",
        "code": "already_has_checkbook",
    }
    assert state() == before


def _set(path, value):
    def change(data):
        target = data
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value() if callable(value) else value

    return change


BAD_INPUTS = [
    pytest.param(
        _set("beneficiary.birth_date", lambda: years_ago(10).isoformat()),
        "too_young",
        "Le Pass numérique s'adresse aux personnes d'au moins 16 ans (cette personne a 10 ans).",
        "beneficiary.birth_date",
        id="under-16",
    ),
    pytest.param(
        _set(
            "beneficiary.birth_date",
            lambda: (timezone.localdate() + timedelta(days=1)).isoformat(),
        ),
        "invalid_birth_date",
        "La date de naissance ne peut pas être dans le futur.",
        "beneficiary.birth_date",
        id="born-tomorrow",
    ),
    pytest.param(
        _set("beneficiary.commune_insee", "30189"),
        "unknown_commune",
        "Aucune commune du territoire n'a le code INSEE « 30189 ».",
        "beneficiary.commune_insee",
        id="commune-of-another-department",
    ),
    pytest.param(
        _set("beneficiary.commune_insee", "48999"),
        "unknown_commune",
        "Aucune commune du territoire n'a le code INSEE « 48999 ».",
        "beneficiary.commune_insee",
        id="unknown-commune",
    ),
    pytest.param(
        _set("beneficiary.email", "jeanne@"),
        "invalid_input",
        "L'adresse de courriel n'est pas valide.",
        "beneficiary.email",
        id="bad-email",
    ),
    pytest.param(
        _set("beneficiary.first_name", "   "),
        "invalid_input",
        "Indiquez le prénom.",
        "beneficiary.first_name",
        id="blank-first-name",
    ),
    pytest.param(
        lambda data: data.update(publics=["senior"]),
        "public_inconsistent_with_age",
        "Le public « Personne de plus de 60 ans » ne correspond pas à l'âge de la personne "
        "(40 ans).",
        "publics",
        id="senior-at-40",
    ),
    pytest.param(
        lambda data: data.update(publics=["jeune"]),
        "public_inconsistent_with_age",
        "Le public « Jeune de 16 à 25 ans » ne correspond pas à l'âge de la personne (40 ans).",
        "publics",
        id="jeune-at-40",
    ),
    pytest.param(
        lambda data: data.update(publics=["rsa", "chomeur"]),
        "invalid_input",
        "Public(s) inconnu(s) : chomeur.",
        "publics",
        id="unknown-public",
    ),
    pytest.param(
        lambda data: data.update(needs=["cuisine"]),
        "invalid_input",
        "Besoin(s) inconnu(s) : cuisine.",
        "needs",
        id="unknown-service",
    ),
    pytest.param(
        lambda data: data.update(needs=[]),
        "invalid_input",
        "Indiquez au moins un besoin de la personne.",
        "needs",
        id="no-need",
    ),
]


@pytest.mark.parametrize(("change", "code", "detail", "field"), BAD_INPUTS)
def test_invalid_referrals_are_refused_in_french(api_as, mende, change, code, detail, field):
    CommuneFactory(insee_code="30189", name="Nîmes", department_code="30")
    client, _ = api_as(Kind.REFERRER)
    data = body(birth_date=years_ago(40).isoformat())
    change(data)
    before = state()
    response = post(client, URL, data)
    assert response.status_code == 422
    assert response.json() == {"detail": detail, "code": code, "field": field}
    assert state() == before


@pytest.mark.parametrize(
    ("change", "code", "detail"),
    [
        pytest.param(
            _set("needs", KeyError),
            "invalid_input",
            "Données invalides : needs champ obligatoire.",
            id="needs-missing",
        ),
        pytest.param(
            _set("beneficiary.nickname", "Jeannot"),
            "unknown_field",
            "Champ inconnu : beneficiary.nickname.",
            id="unknown-field",
        ),
        pytest.param(
            _set("beneficiary.birth_date", "17/05/1980"),
            "invalid_input",
            "Données invalides : beneficiary.birth_date doit être une date au format AAAA-MM-JJ.",
            id="french-date",
        ),
    ],
)
def test_malformed_referrals_are_refused_in_french(api_as, mende, change, code, detail):
    client, _ = api_as(Kind.REFERRER)
    data = body()
    change(data)
    before = state()
    response = post(client, URL, data)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["detail"] == detail
    assert state() == before


# --- GET /referrals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 200), (Kind.DEPARTMENT, 200), (Kind.PROVIDER, 403), (Kind.OPERATOR, 403)],
)
def test_who_may_list_referrals(api_as, programme, kind, expected):
    client, actor = api_as(kind)
    referral = own_referral(actor, programme)
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 200:
        assert [item["id"] for item in response.json()["items"]] == [referral.pk]
    else:
        assert response.json() == {
            "detail": "Votre rôle ne donne pas accès aux orientations.",
            "code": "forbidden",
        }


def test_list_in_queue_order_with_passes_usage(api_as, programme, department):
    client, _ = api_as(Kind.DEPARTMENT)
    now = timezone.now()
    outside_old = referral_in(programme)
    rsa_new = referral_in(programme, publics=["rsa"])
    rsa_old = referral_in(programme, publics=["rsa"], needs=["securite", "parentalite"])
    senior = referral_in(programme, publics=["senior"])
    for referral, hours in ((outside_old, 50), (rsa_new, 1), (rsa_old, 10), (senior, 20)):
        Referral.objects.filter(pk=referral.pk).update(created_at=now - timedelta(hours=hours))
    generate_passes(programme, 5)
    checkbook = prescribe(department, rsa_old).checkbook
    used = checkbook.passes.order_by("serial")[:2]
    Pass.objects.filter(pk__in=[p.pk for p in used]).update(status=PassStatus.REDEEMED)
    referral_in(ProgrammeFactory())  # another programme's: never listed

    body_ = client.get(URL).json()

    assert body_["count"] == 4
    assert [item["id"] for item in body_["items"]] == [
        rsa_old.pk,
        rsa_new.pk,
        senior.pk,
        outside_old.pk,
    ]
    rsa_old.refresh_from_db()
    assert body_["items"][0] == {
        "id": rsa_old.pk,
        "status": "prescribed",
        "tier": 1,
        "publics": ["rsa"],
        "needs": ["securite", "parentalite"],
        "created_at": DjangoJSONEncoder().default(rsa_old.created_at),
        "beneficiary_id": rsa_old.beneficiary_id,
        "organisation": {"id": rsa_old.organisation_id, "name": rsa_old.organisation.name},
        "passes": {"total": 5, "used": 2, "left": 3},
        "possible_duplicate": False,
    }
    assert body_["items"][1]["passes"] == {"total": 0, "used": 0, "left": 0}
    # a list shows no names
    assert rsa_old.beneficiary.last_name not in str(body_)


def test_a_referrer_lists_its_own_organisation_only(api_as, programme):
    client, actor = api_as(Kind.REFERRER)
    mine = [own_referral(actor, programme) for _ in range(2)]
    referral_in(programme)  # another referrer's
    body_ = client.get(URL).json()
    assert body_["count"] == 2
    assert {item["id"] for item in body_["items"]} == {r.pk for r in mine}


def test_list_filtered_by_status(api_as, programme, department):
    client, _ = api_as(Kind.DEPARTMENT)
    pending = referral_in(programme)
    rejected = reject(department, referral_in(programme), "Hors critères.")
    assert [i["id"] for i in client.get(URL, {"status": "pending"}).json()["items"]] == [
        pending.pk
    ]
    assert [i["id"] for i in client.get(URL, {"status": "rejected"}).json()["items"]] == [
        rejected.pk
    ]
    assert client.get(URL, {"status": "withdrawn"}).json() == {"items": [], "count": 0}


def test_unknown_status_is_refused_in_french(api_as, programme):
    client, _ = api_as(Kind.DEPARTMENT)
    response = client.get(URL, {"status": "perdue"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Statut inconnu : « perdue » (attendu : pending, prescribed, rejected, "
        "withdrawn).",
        "code": "invalid_input",
        "field": "status",
    }


def test_list_is_paginated(api_as, programme):
    client, actor = api_as(Kind.REFERRER)
    user = UserFactory()
    referrals = [
        referral_in(programme, organisation=actor.organisation, created_by=user) for _ in range(52)
    ]
    default = client.get(URL).json()
    assert default["count"] == 52
    assert [i["id"] for i in default["items"]] == [r.pk for r in referrals[:50]]
    page = client.get(URL, {"limit": 3, "offset": 50}).json()
    assert page["count"] == 52
    assert [i["id"] for i in page["items"]] == [r.pk for r in referrals[50:]]
    assert len(client.get(URL, {"limit": 200}).json()["items"]) == 52


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"limit": 0}, "Données invalides : limit est trop petit."),
        ({"limit": 201}, "Données invalides : limit est trop grand."),
        ({"limit": "tout"}, "Données invalides : limit doit être un nombre entier."),
        ({"offset": -1}, "Données invalides : offset est trop petit."),
    ],
)
def test_bad_pagination_is_refused_in_french(api_as, programme, query, detail):
    client, _ = api_as(Kind.DEPARTMENT)
    response = client.get(URL, query)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["detail"] == detail


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_does_not_grow(
    api_as, programme, department, count, django_assert_max_num_queries
):
    client, _ = api_as(Kind.DEPARTMENT)
    generate_passes(programme, 5)
    referrals = [referral_in(programme, publics=["rsa"]) for _ in range(count)]
    prescribe(department, referrals[0])
    # token, page, count
    with django_assert_max_num_queries(3):
        response = client.get(URL)
    assert response.json()["count"] == count


# --- GET /referrals/{id} ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 200), (Kind.DEPARTMENT, 200), (Kind.PROVIDER, 403), (Kind.OPERATOR, 403)],
)
def test_who_may_see_a_referral(api_as, programme, kind, expected):
    client, actor = api_as(kind)
    referral = own_referral(actor, programme)
    response = client.get(f"{URL}/{referral.pk}")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == referral.pk


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT])
def test_a_referral_with_its_person(api_as, programme, kind):
    client, actor = api_as(kind)
    referral = referral_in(
        programme,
        organisation=actor.organisation,
        publics=["primo_arrivant"],
        comment="Parle peu le français.",
    )
    person = referral.beneficiary
    response = client.get(f"{URL}/{referral.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["comment"] == "Parle peu le français."
    assert "decision_reason" not in data  # still pending
    assert data["tier"] == 2
    assert data["organisation"] == {"id": actor.organisation.pk, "name": actor.organisation.name}
    assert data["passes"] == {"total": 0, "used": 0, "left": 0}
    identity = {
        "id": person.pk,
        "first_name": "Jeanne",
        "last_name": person.last_name,
        "birth_date": "1980-05-17",
        "commune_insee": "48095",
        "commune_name": "Mende",
        "notice_given_on": "2026-01-15",
    }
    if kind == Kind.DEPARTMENT:
        # The Département sees the contact details, whoever recorded the person.
        assert data["beneficiary"] == {**identity, "email": "", "phone": ""}
    else:
        # This person was recorded by another organisation (the factory's): no contact details.
        assert data["beneficiary"] == identity


@pytest.mark.parametrize("decided", [False, True])
def test_the_operator_sees_no_referral_at_all(api_as, programme, department, decided):
    """The operator steers from aggregates: no referral, not even without names."""
    client, _ = api_as(Kind.OPERATOR)
    referral = referral_in(programme)
    if decided:
        referral = reject(department, referral, "Personne déjà autonome.")
    for response in (client.get(f"{URL}/{referral.pk}"), client.get(URL)):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert referral.beneficiary.last_name not in response.content.decode()
        assert "autonome" not in response.content.decode()


def test_another_organisation_or_programme_referral_is_not_found(api_as, programme):
    referrer, _ = api_as(Kind.REFERRER)
    department, _ = api_as(Kind.DEPARTMENT)
    other_organisation = referral_in(programme)
    other_programme = referral_in(ProgrammeFactory())
    assert referrer.get(f"{URL}/{other_organisation.pk}").json() == NOT_FOUND
    response = department.get(f"{URL}/{other_programme.pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert department.get(f"{URL}/999999").status_code == 404


# --- POST /referrals/{id}/prescribe ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 403), (Kind.DEPARTMENT, 201), (Kind.PROVIDER, 403), (Kind.OPERATOR, 403)],
)
def test_who_may_prescribe(api_as, programme, kind, expected):
    client, actor = api_as(kind)
    generate_passes(programme, 5)
    referral = own_referral(actor, programme)
    before = state()
    response = post(client, f"{URL}/{referral.pk}/prescribe")
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == ONLY_DEPARTMENT
        assert state() == before
    else:
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.PRESCRIBED


def test_prescribe_gives_the_checkbook_and_its_codes(api_as, programme):
    client, actor = api_as(Kind.DEPARTMENT)
    generate_passes(programme, 20)
    referral = referral_in(programme, publics=["rsa"])
    response = post(client, f"{URL}/{referral.pk}/prescribe")
    assert response.status_code == 201
    data = response.json()
    prescription = Prescription.objects.get()
    checkbook = prescription.checkbook
    assert data["prescription_id"] == prescription.pk
    assert data["checkbook"]["number"] == checkbook.number == 1
    expires_on = timezone.localdate() + timedelta(days=programme.validity_days)
    assert data["checkbook"]["expires_on"] == expires_on.isoformat()
    passes = list(checkbook.passes.order_by("serial"))
    assert [p["serial"] for p in data["checkbook"]["passes"]] == [p.serial for p in passes]
    for printed, pass_ in zip(data["checkbook"]["passes"], passes, strict=True):
        assert CODE_RE.match(printed["code"])
        assert keys.digest(codes.normalise(printed["code"])) == pass_.code_digest
        assert printed["value_cents"] == 1000
        assert pass_.status == PassStatus.ASSIGNED
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PRESCRIBED
    assert referral.decided_by == actor.user
    assert budget_for(programme).committed_cents == 5000


def test_prescribing_twice_is_a_conflict(api_as, programme):
    client, _ = api_as(Kind.DEPARTMENT)
    generate_passes(programme, 10)
    referral = referral_in(programme)
    assert post(client, f"{URL}/{referral.pk}/prescribe").status_code == 201
    before = state()
    response = post(client, f"{URL}/{referral.pk}/prescribe")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette orientation n'est plus en attente : elle est « prescrite ».",
        "code": "not_pending",
    }
    assert state() == before


def test_prescription_refused_when_the_budget_is_exhausted(client, make_actor):
    small = ProgrammeFactory(envelope_cents=6000, engineering_cents=1000)
    actor = make_actor(
        Kind.DEPARTMENT, organisation=OrganisationFactory(programme=small, department=True)
    )
    api = Client(headers={"Authorization": f"Bearer {token_for(client, actor.user.username)}"})
    generate_passes(small, 5)
    first, second = referral_in(small), referral_in(small)
    assert post(api, f"{URL}/{first.pk}/prescribe").status_code == 201
    before = state()
    budget_before = budget_for(small)
    response = post(api, f"{URL}/{second.pk}/prescribe")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Le budget disponible ne couvre plus un chéquier : la prescription est refusée.",
        "code": "budget_exhausted",
    }
    assert state() == before
    assert budget_for(small) == budget_before
    assert budget_before.available_cents == 0
    second.refresh_from_db()
    assert second.status == ReferralStatus.PENDING


def test_prescription_refused_when_the_stock_is_empty(api_as, programme):
    client, _ = api_as(Kind.DEPARTMENT)
    referral = referral_in(programme)
    before = state()
    response = post(client, f"{URL}/{referral.pk}/prescribe")
    assert response.status_code == 409
    assert response.json()["code"] == "budget_exhausted"
    assert response.json()["detail"].startswith("Le stock de pass disponibles ne couvre plus")
    assert state() == before


def test_another_programme_referral_cannot_be_prescribed(api_as, programme):
    client, _ = api_as(Kind.DEPARTMENT)
    other = ProgrammeFactory()
    generate_passes(other, 5)
    referral = referral_in(other)
    before = state()
    response = post(client, f"{URL}/{referral.pk}/prescribe")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert state() == before


# --- POST /referrals/{id}/reject -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 403), (Kind.DEPARTMENT, 200), (Kind.PROVIDER, 403), (Kind.OPERATOR, 403)],
)
def test_who_may_reject(api_as, programme, kind, expected):
    client, actor = api_as(kind)
    referral = own_referral(actor, programme)
    before = state()
    response = post(client, f"{URL}/{referral.pk}/reject", {"reason": "Hors critères."})
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == ONLY_DEPARTMENT
        assert state() == before


def test_reject_with_a_reason(api_as, programme):
    client, actor = api_as(Kind.DEPARTMENT)
    referral = referral_in(programme)
    response = post(client, f"{URL}/{referral.pk}/reject", {"reason": " Déjà accompagnée. "})
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == referral.pk
    assert data["status"] == "rejected"
    assert data["decision_reason"] == "Déjà accompagnée."
    assert data["passes"] == {"total": 0, "used": 0, "left": 0}
    entry = JournalEntry.objects.about(referral).get()
    assert (entry.action, entry.reason, entry.user) == (
        "rejected",
        "Déjà accompagnée.",
        actor.user,
    )


@pytest.mark.parametrize(
    ("payload", "code", "detail"),
    [
        ({"reason": "   "}, "reason_required", "Indiquez le motif du refus."),
        ({}, "invalid_input", "Données invalides : reason champ obligatoire."),
        ({"reason": "x", "notify": True}, "unknown_field", "Champ inconnu : notify."),
    ],
)
def test_reject_needs_a_reason(api_as, programme, payload, code, detail):
    client, _ = api_as(Kind.DEPARTMENT)
    referral = referral_in(programme)
    before = state()
    response = post(client, f"{URL}/{referral.pk}/reject", payload)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["detail"] == detail
    assert state() == before


def test_rejecting_a_decided_referral_is_a_conflict(api_as, programme, department):
    client, _ = api_as(Kind.DEPARTMENT)
    referral = reject(department, referral_in(programme), "Hors critères.")
    before = state()
    response = post(client, f"{URL}/{referral.pk}/reject", {"reason": "Encore."})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette orientation n'est plus en attente : elle est « refusée ».",
        "code": "not_pending",
    }
    assert state() == before


# --- POST /referrals/{id}/withdraw -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 200), (Kind.DEPARTMENT, 200), (Kind.PROVIDER, 403), (Kind.OPERATOR, 403)],
)
def test_who_may_withdraw(api_as, programme, kind, expected):
    client, actor = api_as(kind)
    referral = own_referral(actor, programme)
    before = state()
    response = post(client, f"{URL}/{referral.pk}/withdraw", {"reason": "Déménagement."})
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {
            "detail": "Seuls les orienteurs et le Département peuvent orienter une personne.",
            "code": "forbidden",
        }
        assert state() == before
    else:
        assert response.json()["status"] == "withdrawn"
        assert response.json()["decision_reason"] == "Déménagement."


@pytest.mark.parametrize("payload", ["", {}], ids=["no-body", "empty-object"])
def test_withdraw_without_a_reason(api_as, programme, payload):
    client, actor = api_as(Kind.REFERRER)
    referral = own_referral(actor, programme)
    response = client.post(
        f"{URL}/{referral.pk}/withdraw", payload, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["decision_reason"] == ""
    assert JournalEntry.objects.about(referral).get().action == "withdrawn"


def test_only_the_referring_organisation_may_withdraw(api_as, programme):
    department, _ = api_as(Kind.DEPARTMENT)
    other_referrer, _ = api_as(Kind.REFERRER)
    referral = referral_in(programme)
    before = state()
    response = post(department, f"{URL}/{referral.pk}/withdraw")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Seule la structure qui a fait l'orientation peut la retirer.",
        "code": "forbidden",
    }
    assert post(other_referrer, f"{URL}/{referral.pk}/withdraw").json() == NOT_FOUND
    assert state() == before


def test_withdrawing_twice_is_a_conflict(api_as, programme):
    client, actor = api_as(Kind.REFERRER)
    referral = own_referral(actor, programme)
    assert post(client, f"{URL}/{referral.pk}/withdraw").status_code == 200
    before = state()
    response = post(client, f"{URL}/{referral.pk}/withdraw")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette orientation n'est plus en attente : elle est « retirée ».",
        "code": "not_pending",
    }
    assert state() == before


# --- All of them ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/referrals"),
        ("get", "/referrals"),
        ("get", "/referrals/1"),
        ("post", "/referrals/1/prescribe"),
        ("post", "/referrals/1/reject"),
        ("post", "/referrals/1/withdraw"),
        ("post", "/passes/lookup"),
        ("get", "/stats"),
    ],
)
def test_a_token_is_required(db, method, path):
    response = getattr(Client(), method)(f"/api/v1{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_openapi_documents_every_route_and_its_answers(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        ("/api/v1/referrals", "post"): {"201", "401", "403", "409", "422"},
        ("/api/v1/referrals", "get"): {"200", "401", "403", "422"},
        ("/api/v1/referrals/{referral_id}", "get"): {"200", "401", "403", "404"},
        ("/api/v1/referrals/{referral_id}/prescribe", "post"): {"201", "403", "404", "409"},
        ("/api/v1/referrals/{referral_id}/reject", "post"): {"200", "403", "404", "409", "422"},
        ("/api/v1/referrals/{referral_id}/withdraw", "post"): {"200", "403", "404", "409"},
        ("/api/v1/passes/lookup", "post"): {"200", "401", "403", "404", "422", "429"},
        ("/api/v1/stats", "get"): {"200", "401", "403"},
    }
    for (path, method), statuses in expected.items():
        assert statuses <= set(paths[path][method]["responses"]), (path, method)
    prescribed = paths["/api/v1/referrals/{referral_id}/prescribe"]["post"]["responses"]["201"]
    assert prescribed["content"]["application/json"]["schema"]["$ref"].endswith("PrescriptionOut")
    listed = paths["/api/v1/referrals"]["get"]
    assert {p["name"] for p in listed["parameters"]} == {"status", "limit", "offset"}
