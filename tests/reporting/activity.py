"""A programme with something in every export: referrals (prescribed, pending, rejected) of
named people with contact details and free texts, passes in stock and in checkbooks, sessions
with redeemed passes (one undone), a paid statement. Used by the exports' tests."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes.services import generate_passes
from passnum.redemptions.models import PlaceType, SessionKind
from passnum.referrals.services import prescribe
from passnum.statements.models import Statement
from passnum.statements.services import generate_statements, pay_statement, validate_statement
from tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, ReferralFactory
from tests.statements.factories import accredited_provider, redeem_directly

Kind = OrganisationKind
# What must never be in an export: names, contacts, free texts.
SECRET_FIRST_NAME = "Eulalie"
SECRET_LAST_NAME = "Zorglubienne"
SECRET_EMAIL = "eulalie.zorglub@exemple.fr"
SECRET_PHONE = "0611223344"
SECRET_COMMENT = "Situation familiale délicate"
SECRET_REASON = "Déjà suivie ailleurs"
BIRTH_DATE = date(1958, 4, 3)


@dataclass
class Activity:
    programme: object
    operator: Actor
    department: Actor
    referrer: object  # organisation
    provider: object  # organisation
    place: object
    prescribed: list = field(default_factory=list)  # referrals
    pending: object = None
    rejected: object = None
    sessions: list = field(default_factory=list)
    undone: object = None
    statement: object = None


def member(programme, kind) -> Actor:
    return Actor(
        MembershipFactory(
            organisation__programme=programme, organisation__kind=kind, is_admin=True
        )
    )


def person(programme, referrer, n, label="A", **fields):
    return ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__first_name=SECRET_FIRST_NAME,
        beneficiary__last_name=f"{SECRET_LAST_NAME}{label}{n}",
        beneficiary__email=SECRET_EMAIL,
        beneficiary__phone=SECRET_PHONE,
        beneficiary__birth_date=BIRTH_DATE,
        beneficiary__commune=CommuneFactory(),
        organisation=referrer,
        comment=SECRET_COMMENT,
        **fields,
    )


def build_activity(programme, *, people: int = 2, label: str = "A") -> Activity:
    """``people`` prescribed referrals, each with one session where 2 of its 5 passes were
    redeemed; a pending and a rejected referral; an undone session; the sessions of the first
    day of this month on a paid statement."""
    today = timezone.localdate()
    department = member(programme, Kind.DEPARTMENT)
    operator = member(programme, Kind.OPERATOR)
    referrer = OrganisationFactory(
        programme=programme, referrer=True, name=f"Mission Locale {label}"
    )
    provider = accredited_provider(programme, name=f"France services {label}")
    place = provider.places.get()
    generate_passes(programme, programme.passes_per_checkbook * people + 3)  # 3 left in stock
    activity = Activity(programme, operator, department, referrer, provider, place)
    for n in range(people):
        referral = person(
            programme,
            referrer,
            n,
            label,
            publics=["rsa", "senior"],
            needs=["securite", "comprehension"],
        )
        prescription = prescribe(department, referral)
        activity.prescribed.append(referral)
        passes = list(prescription.checkbook.passes.order_by("serial"))
        session = redeem_directly(passes[:2], provider, on=today.replace(day=1))
        session.kind = SessionKind.COLLECTIVE if n % 2 else SessionKind.INDIVIDUAL
        session.place = place
        session.place_type = PlaceType.OWN_SITE
        session.services = ["securite", "outils_quotidien"]
        session.save()
        activity.sessions.append(session)
    activity.pending = person(programme, referrer, people, label, publics=["jeune"])
    activity.rejected = person(
        programme,
        referrer,
        people + 1,
        label,
        status="rejected",
        decision_reason=SECRET_REASON,
        decided_by=department.user,
    )
    # An undone session: its redemption is undone, its pass assigned again.
    last = activity.prescribed[-1].prescription.checkbook.passes.order_by("serial")[4]
    undone = redeem_directly([last], provider, on=today - timedelta(days=1))
    undone.redemptions.update(undone_at=timezone.now())
    undone.undone_at = timezone.now()
    undone.undone_by = operator.user
    undone.save()
    last.status = "assigned"  # back to assigned, as undoing does (a move the table allows)
    last.save(update_fields=["status"])
    activity.undone = undone
    made = generate_statements(operator, f"{today:%Y-%m}", today=today)
    statement = Statement.objects.get(pk=made[0].pk)
    validate_statement(operator, statement)
    pay_statement(operator, Statement.objects.get(pk=statement.pk), today, f"VIR-{label}-001")
    activity.statement = Statement.objects.get(pk=statement.pk)
    return activity
