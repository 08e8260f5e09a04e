"""A programme with something in every corner, for the property-based tests of the API and of
the site: each role's operations and pages reach their rules instead of stopping at « not
found ».

Stock of passes, a pending referral and a prescribed one (with its checkbook), an accredited
provider with a place, bank details, a path it offers, a session of today (still undoable) and
a draft and a validated statement of last month, a path not offered yet, an export file ready
and one queued; one member for each role, plus a provider that has not requested its
accreditation.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.enums import PassStatus
from passnum.passes.services import generate_passes
from passnum.paths.models import Path, PathModule, PathOffer
from passnum.programmes.services import record_expense
from passnum.referrals.services import prescribe
from passnum.reporting.periods import Period
from passnum.reporting.services import request_export
from passnum.reporting.tasks import make as make_export_file_now
from passnum.statements.services import generate_statements, validate_statement
from passnum.territories.services import load_communes
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ReferralFactory,
)
from tests.statements.factories import accredited_provider, redeem_directly

Kind = OrganisationKind


@dataclass
class Scenario:
    programme: object
    actors: dict  # OrganisationKind → Actor
    unaccredited: Actor
    pending_referral: object
    prescribed_referral: object
    checkbook: object
    codes: list  # printed codes of the checkbook's passes still unused
    path: object
    place: object
    session: object
    statement: object
    export_files: list  # ready, queued


def build_scenario(programme) -> Scenario:
    today = timezone.localdate()
    programme.starts_on = min(programme.starts_on, today - timedelta(days=90))
    programme.ends_on = max(programme.ends_on, today + timedelta(days=400))
    programme.save()
    load_communes("48")

    def member(organisation) -> Actor:
        return Actor(MembershipFactory(organisation=organisation, is_admin=True))

    referrer = member(OrganisationFactory(programme=programme, referrer=True))
    department = member(OrganisationFactory(programme=programme, department=True))
    operator = member(OrganisationFactory(programme=programme, operator=True))
    funder = member(OrganisationFactory(programme=programme, funder=True))
    provider_organisation = accredited_provider(programme, name="Atelier numérique de Mende")
    provider = member(provider_organisation)
    unaccredited = member(OrganisationFactory(programme=programme, provider=True))

    generate_passes(programme, 40, today=today)
    pending = ReferralFactory(beneficiary__programme=programme, organisation=referrer.organisation)
    prescribed = ReferralFactory(
        beneficiary__programme=programme, organisation=referrer.organisation
    )
    checkbook = prescribe(department, prescribed, today=today - timedelta(days=40)).checkbook
    passes = list(checkbook.passes.filter(status=PassStatus.ASSIGNED).order_by("serial"))

    place = provider_organisation.places.get()
    path = Path.objects.create(
        programme=programme, name="Premiers pas", services=["outils_quotidien"]
    )
    PathModule.objects.create(path=path, position=1, title="Allumer l'ordinateur", hours=2)
    PathOffer.objects.create(path=path, place=place)

    Path.objects.create(programme=programme, name="Démarches en ligne", services=["securite"])

    # Last month's sessions, on statements: a draft, and a validated one (to pay, to transfer)
    # of another provider; today's session, still undoable.
    last_month = today.replace(day=1) - timedelta(days=1)
    other_provider = accredited_provider(programme, name="Bus numérique")
    redeem_directly(passes[:1], provider_organisation, on=last_month)
    redeem_directly(passes[1:2], other_provider, on=last_month)
    drafts = generate_statements(operator, f"{last_month:%Y-%m}")
    statement = next(s for s in drafts if s.organisation == provider_organisation)
    validate_statement(operator, next(s for s in drafts if s.organisation == other_provider))
    session = redeem_directly(passes[2:3], provider_organisation, on=today)
    record_expense(
        operator, spent_on=today, label="Ingénierie de formation", amount_cents=1_000_00
    )

    # An export file made in the background (ready), and one still queued.
    export_ready = request_export(operator, "sessions", "csv", Period())
    make_export_file_now(export_ready.pk)
    export_queued = request_export(department, "referrals", "xlsx", Period())

    return Scenario(
        programme=programme,
        actors={
            Kind.REFERRER: referrer,
            Kind.DEPARTMENT: department,
            Kind.PROVIDER: provider,
            Kind.OPERATOR: operator,
            Kind.FUNDER: funder,
        },
        unaccredited=unaccredited,
        pending_referral=pending,
        prescribed_referral=prescribed,
        checkbook=checkbook,
        codes=[codes.display(keys.decrypt(p.code_encrypted)) for p in passes[3:]],
        path=path,
        place=place,
        session=session,
        statement=statement,
        export_files=[export_ready, export_queued],
    )
