"""Accredited providers and prescribed passes, ready to redeem."""

from datetime import date

from passnum.organisations.actor import Actor
from passnum.passes import codes, keys
from passnum.passes.enums import PassStatus
from passnum.passes.services import generate_passes
from passnum.providers.models import AccreditationStatus
from passnum.referrals.services import prescribe
from tests.factories import (
    AccreditationFactory,
    MembershipFactory,
    OrganisationFactory,
    ReferralFactory,
)

# The day the checkbooks are prescribed (the programme opens on 1 January 2026); they are valid
# until 1 September 2026 (183 days).
PRESCRIBED_ON = date(2026, 3, 2)
ENDS_ON = date(2026, 9, 1)


def provider_actor(programme, status=AccreditationStatus.ACCREDITED) -> Actor:
    """A member of a new provider organisation with this accreditation (None: none at all)."""
    organisation = OrganisationFactory(programme=programme, provider=True)
    if status is not None:
        AccreditationFactory(organisation=organisation, status=status)
    return Actor(MembershipFactory(organisation=organisation))


def department_actor(programme) -> Actor:
    organisation = OrganisationFactory(programme=programme, department=True)
    return Actor(MembershipFactory(organisation=organisation))


def checkbook_codes(programme, department=None, *, on=PRESCRIBED_ON) -> list[tuple]:
    """Prescribe one new checkbook of 5 passes; its ``(pass, printed code)`` in serial order."""
    department = department or department_actor(programme)
    generate_passes(programme, programme.passes_per_checkbook, today=on)
    prescription = prescribe(
        department, ReferralFactory(beneficiary__programme=programme), today=on
    )
    passes = prescription.checkbook.passes.filter(status=PassStatus.ASSIGNED).order_by("serial")
    return [(p, codes.display(keys.decrypt(p.code_encrypted))) for p in passes]


def stock_code(programme) -> tuple:
    """A pass left in stock (never prescribed) and its code."""
    pass_ = generate_passes(programme, 1, today=PRESCRIBED_ON)[0]
    return pass_, codes.display(keys.decrypt(pass_.code_encrypted))
