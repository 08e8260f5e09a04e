"""Dormant checkbooks for the « Pass non utilisés » tests: prescribed through the real domain,
used through real sessions (``redeem_directly``)."""

from datetime import date, timedelta

from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from tests.factories import MembershipFactory, OrganisationFactory, ReferralFactory
from tests.statements.factories import redeem_directly

# Prescribed on 2 March 2026, valid until 1 September 2026 (183 days).
PRESCRIBED_ON = date(2026, 3, 2)
ENDS_ON = date(2026, 9, 1)
DAY = timedelta(days=1)


def actor_of(programme, kind, organisation=None) -> Actor:
    organisation = organisation or OrganisationFactory(programme=programme, kind=kind)
    return Actor(MembershipFactory(organisation=organisation))


class Dormant:
    """A programme with its Département, two referrer organisations and a provider."""

    def __init__(self, programme):
        self.programme = programme
        self.department = actor_of(programme, OrganisationKind.DEPARTMENT)
        self.referrer = actor_of(programme, OrganisationKind.REFERRER)
        self.other_referrer = actor_of(programme, OrganisationKind.REFERRER)
        self.provider = OrganisationFactory(programme=programme, provider=True)

    def checkbook(self, *, by=None, on=PRESCRIBED_ON, email="", **person):
        """A checkbook of 5 passes for a new person referred by ``by`` (the first referrer)."""
        by = by or self.referrer
        generate_passes(self.programme, self.programme.passes_per_checkbook, today=on)
        referral = ReferralFactory(
            beneficiary__programme=self.programme,
            beneficiary__email=email,
            beneficiary__created_by_organisation=by.organisation,
            organisation=by.organisation,
            created_by=by.user,
            **{f"beneficiary__{k}": v for k, v in person.items()},
        )
        return prescribe(self.department, referral, today=on).checkbook

    def use(self, checkbook, count=1, *, on=None):
        """``count`` of its assigned passes used in a session on ``on``."""
        passes = list(
            checkbook.passes.filter(status=PassStatus.ASSIGNED).order_by("serial")[:count]
        )
        return redeem_directly(passes, self.provider, on=on or checkbook.issued_on + 3 * DAY)
