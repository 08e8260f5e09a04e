"""Redeemed passes without the redemption service: a session and one redemption per pass."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.providers.models import BankDetails
from passnum.redemptions.models import PlaceType, Redemption, Session
from passnum.referrals.services import prescribe
from tests.factories import MembershipFactory, ProviderPlaceFactory, ReferralFactory

# Valid test IBANs (checksums correct) and BICs.
PROVIDER_IBAN = "FR7630006000011234567890189"
PROVIDER_BIC = "AGRIFRPP"
PAYER_IBAN = "FR1420041010050500013M02606"
PAYER_BIC = "PSSTFRPPMON"


class BankDetailsFactory(DjangoModelFactory):
    class Meta:
        model = BankDetails
        django_get_or_create = ["organisation"]

    organisation = factory.SubFactory(
        "tests.factories.OrganisationFactory", kind=OrganisationKind.PROVIDER
    )
    account_holder = factory.LazyAttribute(lambda b: b.organisation.name[:70])
    iban = PROVIDER_IBAN
    bic = PROVIDER_BIC


def accredited_provider(programme, *, name=None, bank=True):
    """An accredited provider organisation of ``programme`` (with bank details by default)."""
    fields = {"organisation__programme": programme}
    if name:
        fields["organisation__name"] = name
    organisation = ProviderPlaceFactory(**fields).organisation
    if bank:
        BankDetailsFactory(organisation=organisation)
    return organisation


def assigned_passes(programme, department_actor, count=5) -> list[Pass]:
    """A prescribed checkbook's passes (generated, then prescribed by the Département)."""
    generate_passes(programme, count)
    prescription = prescribe(department_actor, ReferralFactory(beneficiary__programme=programme))
    return list(prescription.checkbook.passes.order_by("serial"))


def redeem_directly(passes, organisation, *, on=None, duration_minutes=None):
    """One session of ``organisation`` on ``on`` (default today) where ``passes`` were given
    (one per hour)."""
    passes = list(passes)
    on = on or timezone.localdate()
    programme = passes[0].programme
    session = Session.objects.create(
        programme=programme,
        organisation=organisation,
        date=on,
        duration_minutes=duration_minutes or 60 * len(passes),
        services=["outils_quotidien"],
        place_type=PlaceType.OWN_SITE,
        created_by=MembershipFactory(organisation=organisation).user,
    )
    Redemption.objects.bulk_create(
        [Redemption(programme=programme, session=session, pass_obj=p) for p in passes]
    )
    Pass.objects.filter(pk__in=[p.pk for p in passes]).update(status=PassStatus.REDEEMED)
    return session
