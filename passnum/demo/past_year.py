"""A plausible past year of the Lozère demo: January → November 2026, from a fixed seed.

Loaded by ``passnum demo`` after the demo's current content (``lozere.load_demo``). Every event
goes through the real services — refer, prescribe, reject, withdraw, redeem, undo a session,
cancel and replace lost passes, expire, generate, validate and pay statements — so the
ledger, the journal and the database constraints stay what they would be after a real year.

The services stamp their times themselves (``auto_now_add`` fields, the journal's ``at``,
``timezone.now()`` and ``localdate()``): each event runs at its own date and hour with the clock
moved there by ``time-machine`` (a pinned dependency: ``passnum demo`` runs in production
installs too). Passing ``today=`` where a service takes it would date the rules but leave every
timestamp, and so every chart by month, at the day of loading.

Deterministic: one ``random.Random(SEED)``, events run in a fixed order (time, then order of
planning), no set is ever iterated to draw. The same seed and scale give the same people,
referrals, sessions, statements and journal, whatever the day of loading (only the secret pass
codes differ: they are drawn by the ledger, not here).

The people are fictional: common first names and last names that are words for a fake
(« Maquette », « Ébauche »…), living in the communes of Lozère in proportion to their
population. They have no email address: each Monday, the referrer organisations go through
their « Pass non utilisés » list and remind some of the people by letter (``remind``, at its
date), and some of those reminded come back for a session in the following weeks, so that the
dashboard's « Effet des relances » compares two real groups. The automatic end-of-checkbook
reminders are not played: they are emails to the referrers, which the worker started by
``make demo`` would all send at once.
"""

import datetime
import heapq
import itertools
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from passnum.accounts.models import User
from passnum.beneficiaries.models import Beneficiary
from passnum.beneficiaries.services import BeneficiaryData
from passnum.common.exceptions import DomainError
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Membership, Organisation
from passnum.passes import keys
from passnum.passes.enums import PassStatus
from passnum.passes.expiry import expire_passes
from passnum.passes.models import Checkbook, Pass
from passnum.passes.services import cancel_and_replace
from passnum.paths.models import Path, PathOffer
from passnum.programmes.services import record_expense
from passnum.providers.models import Place
from passnum.providers.selectors import distance_km
from passnum.redemptions.models import PlaceType, Session, SessionKind
from passnum.redemptions.services import redeem, undo_session
from passnum.referential.enums import Public, Service
from passnum.referrals.models import Referral
from passnum.referrals.selectors import follow_up_for
from passnum.referrals.services import prescribe, refer, reject, remind, withdraw
from passnum.statements.models import Statement, StatementStatus
from passnum.statements.services import (
    generate_statements,
    pay_statement,
    validate_statement,
)
from passnum.territories.models import Commune

# Parameters --------------------------------------------------------------------------------

SEED = 48_2026
# People referred at scale 1 (tests load a smaller scale).
PEOPLE = 310
FIRST_DAY = datetime.date(2026, 1, 5)  # the first referrals, after the New Year
LAST_REFERRAL_DAY = datetime.date(2026, 11, 30)
# The story's « today »: last run of « passnum daily », November's statements drafted.
LAST_DAY = datetime.date(2026, 12, 1)
# Share of each month in the referrals: a ramp-up, the summer lull, the autumn.
MONTH_WEIGHTS = {1: 3, 2: 5, 3: 7, 4: 9, 5: 10, 6: 10, 7: 8, 8: 5, 9: 10, 10: 12, 11: 11}
# Share of each referrer organisation (names of ``lozere.REFERRERS``).
REFERRER_SHARES = {
    "Mission Locale Lozère": 24,
    "France Travail Mende": 25,
    "CCAS de Mende": 13,
    "Département de la Lozère — services sociaux": 38,
}
# What becomes of a referral (the rest is prescribed, or still pending at the end).
REJECTED_SHARE = 0.08
WITHDRAWN_SHARE = 0.04
DECISION_DAYS = (1, 9)  # working days between a referral and the Département's decision
WITHDRAWAL_DAYS = (1, 4)
# What a person does with a checkbook: never used, partly used (1 to 4 passes), all used.
NEVER_USED_SHARE = 0.24
PARTLY_USED_SHARE = 0.10
FIRST_SESSION_DAYS = (3, 12, 75)  # minimum, mean extra wait, maximum after the prescription
NEXT_SESSION_DAYS = (5, 9, 45)  # the same between two sessions
HOURS_WEIGHTS = {1: 35, 2: 50, 3: 15}  # length of a session (one pass per hour)
LOST_EVERY = 25  # one checkbook in 25 has passes declared lost or stolen, then replaced
UNDONE_SHARE = 0.015  # sessions declared with a wrong date, undone and declared again
# A session is declared the same evening, or some days later (never after the grace).
DECLARED_LATE_SHARE = 0.35
# Each Monday a referrer reminds this share of the people of its « Pass non utilisés » list (by
# letter: the demo's people have no email address); this share of those reminded come back
# within the weeks after (a session 3 to 21 days later, one or two passes).
REMINDED_SHARE = 0.45
RESUMES_AFTER_REMINDER = 0.35
RESUME_DAYS = (3, 21)
# The operator's engineering expenses (against the 10 % engineering share): day, object,
# amount in cents, supplier, reference.
ENGINEERING_EXPENSES = [
    (
        datetime.date(2026, 1, 20),
        "Conception et impression des chéquiers et de la notice d'information",
        1_250_00,
        "Imprimerie fictive de la démonstration",
        "F-2026-014",
    ),
    (
        datetime.date(2026, 4, 14),
        "Réunion de lancement du réseau des lieux habilités (salle, déplacements)",
        480_00,
        "",
        "NDF-2026-04",
    ),
    (
        datetime.date(2026, 9, 29),
        "Comité de pilotage de mi-parcours avec l'État",
        320_00,
        "",
        "NDF-2026-09",
    ),
]
STATEMENT_DAYS = (3, 2, 6)  # working days: generation in M+1, then validation, payment
PARIS = ZoneInfo(settings.TIME_ZONE)

COMMENT = "Personne fictive de la démonstration."
REJECTION_REASONS = [
    "La personne est déjà autonome pour ce qu'elle demande : les lieux en accès libre lui ont "
    "été indiqués.",
    "Le besoin relève d'une formation qualifiante (programme régional de formation), pas du "
    "Pass numérique.",
    "La personne a déménagé hors de la Lozère.",
    "Orientation incomplète : merci de préciser les besoins avec la personne et de l'orienter à "
    "nouveau.",
]
WITHDRAWAL_REASONS = [
    "La personne a retrouvé un emploi et ne peut plus se rendre aux séances.",
    "La personne ne souhaite plus être accompagnée.",
    "Orientation faite par erreur.",
]
# Why passes were declared lost: the whole checkbook, or two of its passes.
LOSS_REASONS = {
    True: [
        "Chéquier perdu par la personne.",
        "Portefeuille volé avec le chéquier, déclaré par la personne.",
    ],
    False: [
        "Pass égarés par la personne lors d'un déménagement.",
        "Pass abîmés et illisibles, rapportés par la personne.",
    ],
}
UNDO_REASON = "Erreur de date lors de la saisie : séance déclarée à nouveau."

# Last names that say they are made up (none of them is a demo name of lozere.py).
LAST_NAMES = [
    "Allégorie",
    "Anonyme",
    "Avatar",
    "Brouillon",
    "Canevas",
    "Chimère",
    "Coulisse",
    "Décor",
    "Doublure",
    "Ébauche",
    "Échantillon",
    "Esquisse",
    "Fable",
    "Factice",
    "Fantaisie",
    "Fiction",
    "Figurant",
    "Gabarit",
    "Hypothèse",
    "Imaginaire",
    "Légende",
    "Maquette",
    "Mirage",
    "Parodie",
    "Pastiche",
    "Personnage",
    "Placebo",
    "Postiche",
    "Prototype",
    "Pseudonyme",
    "Récit",
    "Reflet",
    "Répétition",
    "Scénario",
    "Silhouette",
    "Simulation",
    "Songe",
    "Spécimen",
    "Utopie",
    "Vraisemblable",
]
# fmt: off
FIRST_NAMES = {
    "young": [
        "Emma", "Lucas", "Chloé", "Hugo", "Inès", "Nathan", "Manon", "Théo", "Jade", "Enzo",
        "Lina", "Mathis", "Sarah", "Noah", "Zoé", "Yanis", "Clara", "Rayan", "Maëlys", "Louis",
    ],
    "adult": [
        "Julien", "Aurélie", "Nicolas", "Céline", "Sébastien", "Stéphanie", "Karim", "Sandrine",
        "Mickaël", "Nathalie", "Fatima", "David", "Virginie", "Samir", "Émilie", "Jérôme", "Amina",
        "Christophe", "Laetitia", "Frédéric", "Mélanie", "Olivier",
    ],
    "senior": [
        "Monique", "Jean-Pierre", "Josiane", "Bernard", "Colette", "Gérard", "Huguette", "Michel",
        "Yvette", "René", "Odette", "Alain", "Simone", "Roger", "Ginette", "Claude", "Denise",
        "André", "Jacqueline", "Paulette",
    ],
    "newcomer": [
        "Ahmad", "Mariam", "Oleksandr", "Olena", "Abdou", "Aïssatou", "Tesfaye", "Nour", "Mamadou",
        "Svitlana",
    ],
}
# fmt: on

S = Service
# Needs by situation: (service, chance of being asked).
NEEDS = {
    "young": [
        (S.INSERTION_PROFESSIONNELLE, 0.7),
        (S.DEMARCHES_ADMINISTRATIVES, 0.3),
        (S.OUTILS_QUOTIDIEN, 0.3),
        (S.SECURITE, 0.25),
        (S.COMPREHENSION, 0.15),
        (S.LOISIRS_CREATION, 0.1),
    ],
    "jobseeker": [
        (S.INSERTION_PROFESSIONNELLE, 0.8),
        (S.DEMARCHES_ADMINISTRATIVES, 0.35),
        (S.OUTILS_QUOTIDIEN, 0.35),
        (S.SECURITE, 0.15),
        (S.ACCES_MATERIEL, 0.1),
    ],
    "senior": [
        (S.OUTILS_QUOTIDIEN, 0.6),
        (S.DEMARCHES_ADMINISTRATIVES, 0.55),
        (S.SECURITE, 0.35),
        (S.ACCES_MATERIEL, 0.15),
        (S.LOISIRS_CREATION, 0.1),
        (S.COMPREHENSION, 0.1),
    ],
    "social": [
        (S.DEMARCHES_ADMINISTRATIVES, 0.65),
        (S.OUTILS_QUOTIDIEN, 0.4),
        (S.INSERTION_PROFESSIONNELLE, 0.25),
        (S.SECURITE, 0.2),
        (S.ACCES_MATERIEL, 0.15),
        (S.PARENTALITE, 0.25),
    ],
    "newcomer": [
        (S.DEMARCHES_ADMINISTRATIVES, 0.8),
        (S.OUTILS_QUOTIDIEN, 0.4),
        (S.COMPREHENSION, 0.2),
        (S.INSERTION_PROFESSIONNELLE, 0.2),
    ],
}
P = Public
PIC_JOBSEEKER = P.DEMANDEUR_EMPLOI_PEU_QUALIFIE
# Situations each referrer orients: (weight, situation, ages, publics with their chances).
SITUATIONS = {
    "Mission Locale Lozère": [
        (95, "young", (16, 25), [(P.JEUNE_DECROCHEUR, 0.8), (P.RSA, 0.04)]),
        (5, "newcomer", (18, 25), [(P.PRIMO_ARRIVANT, 1.0), (P.JEUNE_DECROCHEUR, 0.4)]),
    ],
    "France Travail Mende": [
        (92, "jobseeker", (24, 61), [(PIC_JOBSEEKER, 0.85), (P.RSA, 0.3)]),
        (8, "newcomer", (24, 55), [(P.PRIMO_ARRIVANT, 1.0), (PIC_JOBSEEKER, 0.6)]),
    ],
    "CCAS de Mende": [
        (70, "senior", (62, 91), []),
        (30, "social", (28, 59), [(P.RSA, 0.5), (PIC_JOBSEEKER, 0.25)]),
    ],
    "Département de la Lozère — services sociaux": [
        (58, "social", (26, 59), [(P.RSA, 0.7), (PIC_JOBSEEKER, 0.55)]),
        (30, "senior", (60, 89), [(P.RSA, 0.05)]),
        (12, "newcomer", (22, 58), [(P.PRIMO_ARRIVANT, 1.0), (P.RSA, 0.3)]),
    ],
}
CCAS = "CCAS de Mende"
MENDE = "48095"

# Fictional staff who act for the organisations that have no demo account (they cannot log in):
# referrer organisation → (username, first name, last name).
REFERRER_STAFF = {
    "CCAS de Mende": ("ccas-mende", "Hélène", "Accueil"),
    "Département de la Lozère — services sociaux": ("services-sociaux", "Karim", "Assistant"),
}
DEMO_REFERRER_ACCOUNTS = {
    "Mission Locale Lozère": "orienteur",
    "France Travail Mende": "orienteur2",
}
MEDIATORS = [
    ("Élodie", "Médiatrice"),
    ("Romain", "Médiateur"),
    ("Anaïs", "Conseillère"),
    ("Thomas", "Conseiller"),
    ("Lucie", "Médiatrice"),
    ("Maxime", "Conseiller"),
    ("Pauline", "Animatrice"),
]


@dataclass
class Person:
    """One fictional person and what happens to them."""

    referrer: str
    situation: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    commune: Commune
    publics: list[str]
    needs: list[str]
    referred_at: datetime.datetime
    referral: Referral | None = None
    checkbook: Checkbook | None = None
    place: Place | None = None
    other_place: Place | None = None
    path: Path | None = None


@dataclass(order=True)
class Event:
    at: datetime.datetime
    order: int
    action: object = field(compare=False)


class Calendar:
    """The events of the year, run in time order with the clock moved to each one's time."""

    def __init__(self):
        self.events: list[Event] = []
        self.counter = itertools.count()

    def add(self, at: datetime.datetime, action) -> None:
        if at.date() <= LAST_DAY:
            heapq.heappush(self.events, Event(at, next(self.counter), action))

    def run(self) -> None:
        if not self.events:
            return
        with time_machine.travel(self.events[0].at, tick=False) as clock:
            while self.events:
                event = heapq.heappop(self.events)
                clock.move_to(event.at)
                event.action()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def working_day(day: datetime.date) -> datetime.date:
    """The day itself, or the next Monday for a weekend day."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    day = working_day(day)
    for _ in range(count):
        day = working_day(day + datetime.timedelta(days=1))
    return day


def wait_days(rng, limits) -> int:
    """A wait of at least ``limits[0]`` days, ``limits[1]`` more on average, at most
    ``limits[2]``."""
    low, mean, high = limits
    return min(high, low + round(rng.expovariate(1 / mean)))


def monthly_quotas(count: int) -> list[int]:
    """The month of each of ``count`` referrals, in proportion to ``MONTH_WEIGHTS`` (largest
    remainders), in calendar order."""
    total = sum(MONTH_WEIGHTS.values())
    exact = {m: count * w / total for m, w in MONTH_WEIGHTS.items()}
    quotas = {m: int(x) for m, x in exact.items()}
    by_remainder = sorted(exact, key=lambda m: (quotas[m] - exact[m], m))
    for month in by_remainder[: count - sum(quotas.values())]:
        quotas[month] += 1
    return [m for m in MONTH_WEIGHTS for _ in range(quotas[m])]


def weighted(rng, pairs):
    """One value of ``[(weight, value), …]``."""
    weights, values = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class Year:
    """The year's people, organisations and events."""

    def __init__(self, programme, scale: float):
        self.programme = programme
        self.rng = random.Random(SEED)
        self.scale = scale
        self.calendar = Calendar()
        self.communes = list(
            Commune.objects.of_department(programme.territory_code).order_by("insee_code")
        )
        self.places = list(
            Place.objects.filter(organisation__programme=programme)
            .select_related("organisation")
            .order_by("name", "pk")
        )
        self.paths = list(Path.objects.filter(programme=programme).order_by("name"))
        offers = PathOffer.objects.filter(path__programme=programme).values_list(
            "path_id", "place_id"
        )
        self.offered = set(offers)

    # Who acts ------------------------------------------------------------------------------

    def load_actors(self) -> None:
        organisations = {
            o.name: o for o in Organisation.objects.filter(programme=self.programme).order_by("pk")
        }
        staff = {}  # organisation name → user
        for name, username in DEMO_REFERRER_ACCOUNTS.items():
            staff[name] = User.objects.get(username=username)
        for name, (username, first, last) in REFERRER_STAFF.items():
            staff[name] = self._staff(username, first, last, organisations[name])
        taken = set(
            Membership.objects.filter(
                organisation__programme=self.programme,
                organisation__kind=OrganisationKind.PROVIDER,
            ).values_list("organisation_id", flat=True)
        )
        providers = [o for o in organisations.values() if o.kind == OrganisationKind.PROVIDER]
        for index, organisation in enumerate(providers, start=1):
            if organisation.pk not in taken:
                first, last = MEDIATORS[index % len(MEDIATORS)]
                self._staff(f"mediation-{index:02d}", first, last, organisation)
        memberships = Membership.objects.filter(
            organisation__programme=self.programme
        ).select_related("user", "organisation__programme", "organisation__accreditation")
        by_user = {(m.user_id, m.organisation_id): m for m in memberships}
        self.referrers = {
            name: Actor(by_user[(user.pk, organisations[name].pk)]) for name, user in staff.items()
        }
        self.providers = {}
        for membership in memberships.filter(
            organisation__kind=OrganisationKind.PROVIDER
        ).order_by("pk"):
            self.providers.setdefault(membership.organisation_id, Actor(membership))
        self.department = Actor(memberships.get(user__username="departement"))
        self.operator = Actor(memberships.get(user__username="pilote"))

    def _staff(self, username, first_name, last_name, organisation) -> User:
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@demo.passnum.invalid",
        )
        user.set_unusable_password()  # acts in the story only: no one logs in with it
        user.save()
        Membership.objects.create(user=user, organisation=organisation)
        return user

    # The people ----------------------------------------------------------------------------

    def people(self) -> list[Person]:
        rng = self.rng
        count = round(PEOPLE * self.scale)
        population = [(c.population or 50, c) for c in self.communes]
        mende = next(c for c in self.communes if c.insee_code == MENDE)
        near_mende = [
            (c.population or 50, c)
            for c in self.communes
            if distance_km(mende.latitude, mende.longitude, c.latitude, c.longitude) < 20
        ]
        days_by_month = {
            month: [
                d
                for d in (
                    datetime.date(2026, month, 1) + datetime.timedelta(days=i) for i in range(31)
                )
                if d.month == month and d.weekday() < 5 and FIRST_DAY <= d <= LAST_REFERRAL_DAY
            ]
            for month in MONTH_WEIGHTS
        }
        months = iter(monthly_quotas(count))
        names_taken = set()
        people = []
        for _ in range(count):
            referrer = weighted(rng, [(w, name) for name, w in REFERRER_SHARES.items()])
            _, situation, ages, public_chances = weighted(
                rng, [(s[0], s) for s in SITUATIONS[referrer]]
            )
            day = rng.choice(days_by_month[next(months)])
            referred_at = at(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50)))
            age = rng.randint(*ages)
            birth_date = day - datetime.timedelta(days=round((age + rng.random()) * 365.25))
            if referrer == CCAS:
                commune = mende if rng.random() < 0.75 else weighted(rng, near_mende)
            else:
                commune = weighted(rng, population)
            publics = [p.value for p, chance in public_chances if rng.random() < chance]
            needs = [s.value for s, chance in NEEDS[situation] if rng.random() < chance]
            if not needs:
                needs = [NEEDS[situation][0][0].value]
            needs = needs[:3]
            names = FIRST_NAMES["newcomer" if situation == "newcomer" else self._generation(age)]
            while True:
                first_name, last_name = rng.choice(names), rng.choice(LAST_NAMES)
                if (first_name, last_name) not in names_taken:
                    names_taken.add((first_name, last_name))
                    break
            people.append(
                Person(
                    referrer=referrer,
                    situation=situation,
                    first_name=first_name,
                    last_name=last_name,
                    birth_date=birth_date,
                    commune=commune,
                    publics=publics,
                    needs=needs,
                    referred_at=referred_at,
                )
            )
        return people

    @staticmethod
    def _generation(age: int) -> str:
        if age <= 25:
            return "young"
        return "senior" if age >= 60 else "adult"

    # Events --------------------------------------------------------------------------------

    def plan(self, people) -> None:
        for person in people:
            self.calendar.add(person.referred_at, lambda p=person: self.refer(p))
        day = FIRST_DAY
        while day <= LAST_DAY:  # « passnum daily », each night
            self.calendar.add(at(day, 2), lambda d=day: expire_passes(d))
            day += datetime.timedelta(days=1)
        for month in range(1, 12):
            self.plan_statements(datetime.date(2026, month, 1))
        self.by_referral = {}
        for spent_on, label, cents, supplier, reference in ENGINEERING_EXPENSES:
            self.calendar.add(
                at(spent_on, 11),
                lambda d=spent_on, lab=label, c=cents, su=supplier, r=reference: record_expense(
                    self.operator,
                    spent_on=d,
                    label=lab,
                    amount_cents=c,
                    supplier=su,
                    reference=r,
                ),
            )
        day = FIRST_DAY + datetime.timedelta(days=(7 - FIRST_DAY.weekday()) % 7)
        while day <= LAST_DAY:  # each Monday morning, the referrers' follow-up
            self.calendar.add(at(day, 10), lambda d=day: self.follow_up(d))
            day += datetime.timedelta(days=7)

    def refer(self, person: Person) -> None:
        actor = self.referrers[person.referrer]
        day = person.referred_at.date()
        person.referral = refer(
            actor,
            publics=person.publics,
            needs=person.needs,
            beneficiary_data=BeneficiaryData(
                first_name=person.first_name,
                last_name=person.last_name,
                birth_date=person.birth_date,
                commune=person.commune,
                notice_given_on=day,
            ),
            comment=COMMENT,
        )
        rng = self.rng
        outcome = rng.random()
        if outcome < WITHDRAWN_SHARE:
            later = add_working_days(day, rng.randint(*WITHDRAWAL_DAYS))
            reason = rng.choice(WITHDRAWAL_REASONS)
            self.calendar.add(
                at(later, rng.randint(9, 17), 15),
                lambda: withdraw(actor, person.referral, reason),
            )
            return
        later = add_working_days(day, rng.randint(*DECISION_DAYS))
        when = at(later, rng.randint(9, 16), rng.choice((5, 25, 45)))
        if outcome < WITHDRAWN_SHARE + REJECTED_SHARE:
            reason = rng.choice(REJECTION_REASONS)
            self.calendar.add(when, lambda: reject(self.department, person.referral, reason))
        else:
            self.calendar.add(when, lambda: self.prescribe(person))

    def follow_up(self, day: datetime.date) -> None:
        """Each referrer goes through its dormant checkbooks and reminds some of the people (a
        letter); some of them come back for a session."""
        rng = self.rng
        for name in sorted(self.referrers):
            actor = self.referrers[name]
            for referral in list(follow_up_for(actor, today=day)):
                if rng.random() >= REMINDED_SHARE:
                    continue
                try:
                    remind(actor, referral, today=day)
                except DomainError:
                    continue
                person = self.by_referral.get(referral.pk)
                if person is None or rng.random() >= RESUMES_AFTER_REMINDER:
                    continue
                back = working_day(day + datetime.timedelta(days=rng.randint(*RESUME_DAYS)))
                if back > person.checkbook.expires_on:
                    continue
                hours = rng.choice((1, 1, 2))
                self.calendar.add(
                    at(back, rng.randint(17, 18), rng.randint(0, 59)),
                    lambda p=person, d=back, h=hours: self.session(p, d, h, p.place, False),
                )

    def prescribe(self, person: Person) -> None:
        person.checkbook = prescribe(self.department, person.referral).checkbook
        self.by_referral[person.referral.pk] = person
        self.choose_places(person)
        first_session = self.plan_sessions(person)
        if person.checkbook.number % LOST_EVERY == LOST_EVERY // 2:
            self.plan_loss(person, before=first_session or person.checkbook.expires_on)

    def choose_places(self, person: Person) -> None:
        """The place nearest the person that offers one of their needs (sometimes the next
        one), another one for a few sessions, and a path when the place offers one that fits."""
        wanted = set(person.needs)
        commune = person.commune
        nearby = sorted(
            (
                distance_km(commune.latitude, commune.longitude, p.latitude, p.longitude),
                p.name,
                index,
            )
            for index, p in enumerate(self.places)
            if wanted & set(p.services)
        )
        ranked = [self.places[index] for _, _, index in nearby[:3]]
        first = weighted(self.rng, list(zip((80, 15, 5), ranked, strict=False)))
        person.place = first
        person.other_place = next((p for p in ranked if p != first), first)
        fitting = [
            path
            for path in self.paths
            if (path.pk, first.pk) in self.offered and path.services[0] in wanted
        ]
        if fitting and self.rng.random() < 0.4:
            person.path = self.rng.choice(fitting)

    def plan_sessions(self, person: Person) -> datetime.date | None:
        """The sessions the person will attend; returns the day of the first one."""
        rng = self.rng
        checkbook = person.checkbook
        size = self.programme.passes_per_checkbook
        roll = rng.random()
        if roll < NEVER_USED_SHARE:
            return None
        if roll < NEVER_USED_SHARE + PARTLY_USED_SHARE:
            target = weighted(rng, [(40, 1), (35, 2), (15, 3), (10, 4)])
        else:
            target = size
        grace = datetime.timedelta(days=self.programme.redemption_grace_days)
        day = checkbook.issued_on + datetime.timedelta(days=wait_days(rng, FIRST_SESSION_DAYS))
        first = working_day(day)
        while target > 0:
            day = working_day(day)
            if day > checkbook.expires_on:
                break
            hours = min(target, weighted(rng, [(w, h) for h, w in HOURS_WEIGHTS.items()]))
            if rng.random() < DECLARED_LATE_SHARE:
                declared = add_working_days(day, rng.randint(1, 6))
            else:
                declared = day
            declared = min(declared, checkbook.expires_on + grace)
            place = person.other_place if rng.random() < 0.1 else person.place
            undo = rng.random() < UNDONE_SHARE and day > checkbook.issued_on
            self.calendar.add(
                at(declared, rng.randint(17, 18), rng.randint(0, 59)),
                lambda d=day, h=hours, pl=place, u=undo: self.session(person, d, h, pl, u),
            )
            target -= hours
            day += datetime.timedelta(days=wait_days(rng, NEXT_SESSION_DAYS))
        return first

    def session(self, person: Person, day, hours: int, place: Place, undo: bool) -> None:
        """A provider declares a session and the passes the person gave."""
        rng = self.rng
        passes = list(
            Pass.objects.filter(checkbook=person.checkbook, status=PassStatus.ASSIGNED).order_by(
                "serial"
            )[:hours]
        )
        if not passes:
            return
        codes = [keys.decrypt(p.code_encrypted) for p in passes]
        path = person.path if place == person.place else None
        services = [s for s in place.services if s in person.needs]
        if path is None or not services:
            services = rng.sample(services, min(len(services), rng.choice((1, 1, 2)))) or [
                place.services[0]
            ]
        if rng.random() < 0.15:  # what comes up on the way
            services.append(rng.choice(place.services))
        place_type = PlaceType.OWN_SITE
        if person.situation == "senior" and rng.random() < 0.12:
            place_type = PlaceType.HOME
        elif rng.random() < 0.05:
            place_type = PlaceType.REMOTE
        collective = place_type == PlaceType.OWN_SITE and rng.random() < (0.6 if path else 0.15)
        kind = SessionKind.COLLECTIVE if collective else SessionKind.INDIVIDUAL
        minutes = 60 * len(passes) + (30 if rng.random() < 0.1 else 0)
        actor = self.providers[place.organisation_id]
        fields = {
            "codes": codes,
            "duration_minutes": minutes,
            "services": services,
            "path": path,
            "place": place,
            "place_type": place_type,
            "kind": kind,
        }
        if undo:  # typed with the wrong date, undone a little later, declared again
            wrong = redeem(actor, date=day - datetime.timedelta(days=1), **fields)
            later = datetime.timedelta(minutes=rng.randint(20, 90))
            self.calendar.add(timezone.now() + later, lambda: self.redo(actor, wrong, day, fields))
            return
        redeem(actor, date=day, **fields)

    def redo(self, actor, wrong: Session, day, fields) -> None:
        undo_session(actor, wrong, UNDO_REASON)
        redeem(actor, date=day, **fields)

    def plan_loss(self, person: Person, before: datetime.date) -> None:
        """The person loses the checkbook (or some of its passes) before the first session."""
        rng = self.rng
        checkbook = person.checkbook
        days = max(1, (before - checkbook.issued_on).days - 1)
        day = working_day(checkbook.issued_on + datetime.timedelta(days=rng.randint(1, days)))
        if day >= min(before, checkbook.expires_on):
            return
        whole = rng.random() < 0.3
        reason = rng.choice(LOSS_REASONS[whole])
        self.calendar.add(
            at(day, rng.randint(9, 16), 35),
            lambda: self.replace_lost(person, reason, whole),
        )

    def replace_lost(self, person: Person, reason: str, whole: bool) -> None:
        """The Département cancels the unused passes the person lost and issues others."""
        unused = list(
            Pass.objects.filter(checkbook=person.checkbook, status=PassStatus.ASSIGNED)
            .order_by("serial")
            .values_list("serial", flat=True)
        )
        lost = unused if whole else unused[-2:]
        if lost:
            cancel_and_replace(self.department, person.checkbook, lost, reason)

    # Statements ----------------------------------------------------------------------------

    def plan_statements(self, month: datetime.date) -> None:
        """The pilot drafts the month's statements early the next month, validates them and
        records their payment by the paymaster (a mandate each) a week later; November's are
        only drafted. The SEPA file is left out: producing one validates it against its XML
        schema, a second each time."""
        generation, validation, payment = STATEMENT_DAYS
        next_month = (month + datetime.timedelta(days=31)).replace(day=1)
        day = add_working_days(next_month, generation - 1)
        if month.month == 11:
            day = LAST_DAY
        self.calendar.add(
            at(day, 9, 30), lambda: generate_statements(self.operator, f"{month:%Y-%m}")
        )
        if month.month == 11:
            return
        day = add_working_days(day, validation)
        self.calendar.add(at(day, 10), lambda: self.validate(month))
        paid_on = add_working_days(day, payment)
        self.calendar.add(at(paid_on, 14), lambda: self.pay(month, paid_on))

    def _statements(self, month, status):
        return Statement.objects.filter(
            programme=self.programme, period=month, status=status
        ).order_by("pk")

    def validate(self, month) -> None:
        for statement in self._statements(month, StatementStatus.DRAFT):
            validate_statement(self.operator, statement)

    def pay(self, month, paid_on) -> None:
        for number, statement in enumerate(self._statements(month, StatementStatus.VALIDATED)):
            reference = f"Mandat {month:%Y}-{month.month:02d}{number + 1:03d}"
            pay_statement(self.operator, statement, paid_on, reference)


def load_past_year(programme, *, scale: float = 1.0) -> None:
    """Play the year from January to the story's today (``LAST_DAY``); ``scale`` multiplies the
    number of people (0: no past year)."""
    if scale <= 0:
        return
    year = Year(programme, scale)
    with time_machine.travel(at(FIRST_DAY - datetime.timedelta(days=3), 9), tick=False):
        year.load_actors()
    year.plan(year.people())
    year.calendar.run()


@dataclass(frozen=True)
class Figures:
    """The programme in a few numbers, for the command's message and the tests."""

    people: int
    referrals: dict[str, int]  # per status
    checkbooks: int
    sessions: int  # live ones
    passes: dict[str, int]  # per status
    statements: dict[str, int]  # per status

    @property
    def passes_used(self) -> int:
        return self.passes.get(PassStatus.REDEEMED, 0) + self.passes.get(PassStatus.REIMBURSED, 0)

    def __str__(self):
        r, p, s = self.referrals, self.passes, self.statements
        return (
            f"{self.people} personnes orientées ({r.get('prescribed', 0)} prescrites, "
            f"{r.get('rejected', 0)} refusées, {r.get('withdrawn', 0)} retirées, "
            f"{r.get('pending', 0)} en attente), {self.checkbooks} chéquiers, "
            f"{self.sessions} séances, {self.passes_used} pass utilisés "
            f"({p.get('reimbursed', 0)} remboursés), {p.get('expired', 0)} expirés, "
            f"{p.get('cancelled', 0)} annulés et remplacés, {p.get('available', 0)} disponibles ; "
            f"relevés : {s.get('paid', 0)} payés, {s.get('validated', 0)} validés, "
            f"{s.get('draft', 0)} brouillons"
        )


def figures_of(programme) -> Figures:
    def per_status(queryset):
        return dict(queryset.values_list("status").annotate(n=Count("pk")).order_by())

    return Figures(
        people=Beneficiary.objects.filter(programme=programme).count(),
        referrals=per_status(Referral.objects.filter(programme=programme)),
        checkbooks=Checkbook.objects.filter(programme=programme).count(),
        sessions=Session.objects.filter(programme=programme, undone_at__isnull=True).count(),
        passes=per_status(Pass.objects.filter(programme=programme)),
        statements=per_status(Statement.objects.filter(programme=programme)),
    )
