"""The Lozère demo: the programme of the press release, its communes, real places, accounts.

Loaded only by ``passnum demo``, never by migrations.
"""

import csv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db import transaction
from schwifty import IBAN

from passnum.accounts.models import User
from passnum.beneficiaries.services import BeneficiaryData
from passnum.common.text import normalise_name
from passnum.demo.past_year import load_past_year
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Membership, Organisation
from passnum.passes.services import generate_passes
from passnum.paths.models import Path as TrainingPath
from passnum.paths.models import PathModule, PathOffer
from passnum.programmes.budget import budget_of
from passnum.programmes.enums import FunderKind
from passnum.programmes.models import Funder, Programme
from passnum.providers.models import (
    Accreditation,
    AccreditationEvent,
    AccreditationStatus,
    BankDetails,
    Place,
)
from passnum.referential.enums import Public, Service
from passnum.referrals.services import refer
from passnum.territories.models import Commune
from passnum.territories.services import load_communes

PLACES_FILE = Path(__file__).resolve().parent / "data" / "lieux-inclusion-48.csv"
DEMO_PASSWORD = "passnum-demo"
# When the programme was set up, before it opened on 1 January 2026.
SET_UP_AT = datetime(2025, 12, 15, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))

PROGRAMME = {
    "name": "Pass numérique Lozère 2026-2028",
    "territory_code": "48",
    "starts_on": date(2026, 1, 1),
    "ends_on": date(2028, 12, 31),
    "envelope_cents": 40_000_00,
    "engineering_cents": 4_000_00,
    "pass_value_cents": 10_00,
    "passes_per_checkbook": 5,
    "validity_days": 183,
    "max_checkbooks_per_person": 1,
    # A fictional account (valid checksums) standing for the departmental paymaster's.
    "payer_name": "Paierie départementale de la Lozère (démo)",
    "payer_iban": "FR7630001000000000000000127",
    "payer_bic": "BDFEFRPP",
}
FUNDERS = [
    ("État — Secrétariat d'État chargé du numérique", FunderKind.STATE, 5000),
    ("Département de la Lozère", FunderKind.DEPARTMENT, 5000),
]
REFERRERS = [
    ("Mission Locale Lozère", "48095", "1 bis avenue du Père Coudrin"),
    ("France Travail Mende", "48095", "14 boulevard Lucien Arnault"),
    ("CCAS de Mende", "48095", "Hôtel de ville"),
    ("Département de la Lozère — services sociaux", "48095", "4 rue de la Rovère"),
]
DEPARTMENT = ("Département de la Lozère — DTIP", "48095", "4 rue de la Rovère")
OPERATOR = ("Lozère Développement", "48095", "4 rue de la Rovère")
# The State as co-funder (its demo account reads the indicators and the report).
FUNDER = ("État — Préfecture de la Lozère", "48095", "2 rue de la Rovère")

# username, first name, last name, organisation name, kind
ACCOUNTS = [
    ("orienteur", "Camille", "Orienteur", "Mission Locale Lozère", OrganisationKind.REFERRER),
    # A second referrer organisation: what one organisation recorded stays out of the other's
    # sight (the same person oriented by both is flagged to the Département).
    ("orienteur2", "Morgane", "Conseillère", "France Travail Mende", OrganisationKind.REFERRER),
    ("departement", "Dominique", "Instructeur", DEPARTMENT[0], OrganisationKind.DEPARTMENT),
    ("structure", "Sacha", "Médiateur", "France services de Mende", OrganisationKind.PROVIDER),
    ("pilote", "Claude", "Pilote", OPERATOR[0], OrganisationKind.OPERATOR),
    ("financeur", "Alix", "Financeur", FUNDER[0], OrganisationKind.FUNDER),
]

# The open data gives no services per place: the demo assumes those of each label.
SERVICES_BY_TYPE = {
    "France services": [
        Service.DEMARCHES_ADMINISTRATIVES,
        Service.OUTILS_QUOTIDIEN,
        Service.SECURITE,
        Service.ACCES_MATERIEL,
    ],
    "conseiller numérique": [
        Service.OUTILS_QUOTIDIEN,
        Service.SECURITE,
        Service.COMPREHENSION,
        Service.PARENTALITE,
        Service.INSERTION_PROFESSIONNELLE,
        Service.LOISIRS_CREATION,
    ],
}

# Fictional people oriented by the Mission Locale, so that the Département's queue is not empty:
# first name, last name, age, commune INSEE, publics, needs.
DEMO_REFERRALS = [
    (
        "Léa",
        "Fictive",
        19,
        "48095",
        [Public.JEUNE_DECROCHEUR],
        [Service.INSERTION_PROFESSIONNELLE],
    ),
    ("Marcel", "Exemple", 67, "48092", [], [Service.DEMARCHES_ADMINISTRATIVES, Service.SECURITE]),
    ("Nadia", "Démo", 41, "48061", [Public.RSA], [Service.OUTILS_QUOTIDIEN]),
    ("Yusuf", "Essai", 34, "48140", [Public.PRIMO_ARRIVANT], [Service.DEMARCHES_ADMINISTRATIVES]),
    ("Sophie", "Modèle", 45, "48095", [], [Service.PARENTALITE]),
]


# The training paths of the framework: name, services covered, target publics, modules.
DEMO_PATHS = [
    (
        "Accès aux droits",
        [Service.DEMARCHES_ADMINISTRATIVES, Service.SECURITE],
        [Public.RSA, Public.SENIOR, Public.PRIMO_ARRIVANT],
        [
            ("Créer son espace France Connect", 2),
            ("Déclarer en ligne", 2),
            ("Sécuriser ses comptes", 1),
        ],
    ),
    (
        "Identité numérique",
        [Service.SECURITE, Service.COMPREHENSION],
        [Public.JEUNE, Public.SENIOR],
        [
            ("Comprendre son identité numérique", 2),
            ("Protéger ses données personnelles", 2),
            ("Repérer les arnaques", 1),
        ],
    ),
    (
        "Parentalité numérique",
        [Service.PARENTALITE, Service.OUTILS_QUOTIDIEN],
        [],
        [
            ("Suivre la scolarité en ligne (ENT, Pronote)", 2),
            ("Accompagner les écrans à la maison", 2),
            ("Contrôle parental", 1),
        ],
    ),
]


def load_paths(programme) -> list[TrainingPath]:
    """The demo paths and their modules, offered at every place whose services cover them."""
    TrainingPath.objects.bulk_create(
        TrainingPath(
            programme=programme, name=name, services=list(services), target_publics=publics
        )
        for name, services, publics, _ in DEMO_PATHS
    )
    by_name = {p.name: p for p in TrainingPath.objects.filter(programme=programme)}
    paths = [by_name[name] for name, *_ in DEMO_PATHS]
    PathModule.objects.bulk_create(
        PathModule(path=path, position=position, title=title, hours=hours)
        for path, (_, _, _, modules) in zip(paths, DEMO_PATHS, strict=True)
        for position, (title, hours) in enumerate(modules, start=1)
    )
    places = Place.objects.filter(organisation__programme=programme).order_by("pk")
    PathOffer.objects.bulk_create(
        PathOffer(path=path, place=place)
        for path in paths
        for place in places
        if set(path.services) <= set(place.services)
    )
    return paths


def services_of(place_type: str) -> list[str]:
    if "conseiller numérique" in place_type:
        return list(SERVICES_BY_TYPE["conseiller numérique"])
    return list(SERVICES_BY_TYPE["France services"])


def place_of(row: dict, organisation, communes) -> Place:
    """A place from a row of the open data; a row without INSEE code is matched by postal code
    and name start, one without coordinates takes its commune's."""
    commune = communes.get(row["insee_code"]) or next(
        c
        for c in communes.values()
        if c.search_name.startswith(normalise_name(row["commune"]))
        and row["postal_code"] in c.postal_code_list
    )
    return Place(
        organisation=organisation,
        name=row["name"],
        address=row["address"],
        commune=commune,
        latitude=row["latitude"] or commune.latitude,
        longitude=row["longitude"] or commune.longitude,
        services=services_of(row["type"]),
    )


def read_places() -> list[dict]:
    with PLACES_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_demo(*, scale: float = 1.0) -> Programme:
    """Load the demo into an empty database (``passnum demo`` flushes it first): the programme
    set up before it opened, the referrals waiting today, then its past year (``past_year``;
    ``scale`` multiplies its number of people, 0 leaves it out)."""
    # Set up before the programme opened: the stock, the accounts and the accreditations are
    # dated before the year's first referral, prescription and session.
    with time_machine.travel(SET_UP_AT, tick=False):
        programme, communes = set_up()
    orient_today(programme, communes)
    load_past_year(programme, scale=scale)
    return programme


def set_up() -> tuple[Programme, dict]:
    """The programme, its funders, organisations, accounts, places, paths and stock."""
    load_communes("48")
    communes = {
        c.insee_code: c
        for c in Commune.objects.of_department("48").prefetch_related("postal_codes")
    }
    programme = Programme.objects.create(**PROGRAMME)
    Funder.objects.bulk_create(
        Funder(programme=programme, name=name, kind=kind, share_basis_points=share)
        for name, kind, share in FUNDERS
    )

    def organisation(kind, name, insee, address):
        return Organisation(
            programme=programme, kind=kind, name=name, commune=communes.get(insee), address=address
        )

    organisations = [organisation(OrganisationKind.REFERRER, *r) for r in REFERRERS]
    organisations.append(organisation(OrganisationKind.DEPARTMENT, *DEPARTMENT))
    organisations.append(organisation(OrganisationKind.OPERATOR, *OPERATOR))
    organisations.append(organisation(OrganisationKind.FUNDER, *FUNDER))
    organisations += [
        organisation(OrganisationKind.PROVIDER, p["name"], p["insee_code"], p["address"])
        for p in read_places()
    ]
    Organisation.objects.bulk_create(organisations)

    by_key = {(o.kind, o.name): o for o in Organisation.objects.filter(programme=programme)}
    for username, first_name, last_name, org_name, kind in ACCOUNTS:
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@demo.passnum.invalid",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, organisation=by_key[(kind, org_name)], is_admin=True)

    Place.objects.bulk_create(
        place_of(p, by_key[(OrganisationKind.PROVIDER, p["name"])], communes)
        for p in read_places()
    )
    Accreditation.objects.bulk_create(
        Accreditation(organisation=o, status=AccreditationStatus.ACCREDITED)
        for o in by_key.values()
        if o.kind == OrganisationKind.PROVIDER
    )
    # The demo providers asked and were accredited by the operator.
    operator_user = User.objects.get(username="pilote")
    AccreditationEvent.objects.bulk_create(
        AccreditationEvent(
            accreditation=accreditation,
            user=operator_user,
            before=AccreditationStatus.SUBMITTED,
            after=AccreditationStatus.ACCREDITED,
            reason="Structure habilitée pour la démonstration.",
        )
        for accreditation in Accreditation.objects.filter(organisation__programme=programme)
    )
    # Fictional bank accounts (valid checksums), so that statements can be paid in the demo.
    BankDetails.objects.bulk_create(
        BankDetails(
            organisation=o,
            account_holder=o.name[:70],
            iban=str(IBAN.generate("FR", bank_code="30002", account_code=f"48{o.pk:09d}")),
            bic="CRLYFRPP",
        )
        for o in by_key.values()
        if o.kind == OrganisationKind.PROVIDER
    )
    load_paths(programme)
    generate_passes(programme, budget_of(programme).passes_total, today=programme.starts_on)
    return programme, communes


def orient_today(programme, communes) -> None:
    """The referrals waiting in the Département's queue today, one of them a duplicate."""
    referrer = Actor(Membership.objects.get(user__username="orienteur"))
    today = date.today()

    def orient(actor, first_name, last_name, age, insee, publics, needs):
        refer(
            actor,
            publics=publics,
            needs=needs,
            beneficiary_data=BeneficiaryData(
                first_name=first_name,
                last_name=last_name,
                birth_date=date(today.year - age, 1, 1),
                commune=communes[insee],
                notice_given_on=today,
            ),
            comment="Personne fictive de la démonstration.",
        )

    for person in DEMO_REFERRALS:
        orient(referrer, *person)
    # France Travail orients a person the Mission Locale already did: it learns nothing of it,
    # and the Département sees « Doublon possible » in its queue.
    orient(Actor(Membership.objects.get(user__username="orienteur2")), *DEMO_REFERRALS[2])
