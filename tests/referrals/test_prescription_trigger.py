"""Only the Département prescribes — in the database too, whatever writes the row (the service
checks first; a trigger, on PostgreSQL and SQLite, refuses the rest)."""

import pytest
from django.db import IntegrityError, transaction

from passnum.organisations.enums import OrganisationKind
from passnum.passes.services import generate_passes
from passnum.referrals.models import Prescription
from passnum.referrals.services import prescribe
from tests.factories import OrganisationFactory, ReferralFactory


@pytest.fixture
def prescription(programme, make_actor):
    generate_passes(programme, 5)
    department = make_actor(OrganisationKind.DEPARTMENT)
    return prescribe(department, ReferralFactory(beneficiary__programme=programme))


@pytest.mark.parametrize(
    "kind", [OrganisationKind.REFERRER, OrganisationKind.PROVIDER, OrganisationKind.OPERATOR]
)
def test_a_prescription_by_another_kind_of_organisation_cannot_be_written(
    programme, prescription, kind
):
    other = OrganisationFactory(programme=programme, kind=kind)
    referral = ReferralFactory(beneficiary__programme=programme, status="prescribed")
    forged = Prescription(
        programme=programme,
        referral=referral,
        checkbook=prescription.checkbook,
        prescribed_by=prescription.prescribed_by,
        organisation=other,
    )
    with pytest.raises(IntegrityError, match="Seul le Département"), transaction.atomic():
        forged.save()
    assert Prescription.objects.count() == 1


def test_a_prescription_cannot_be_handed_to_another_organisation(programme, prescription):
    referrer = OrganisationFactory(programme=programme, kind=OrganisationKind.REFERRER)
    with pytest.raises(IntegrityError, match="Seul le Département"), transaction.atomic():
        Prescription.objects.filter(pk=prescription.pk).update(organisation=referrer)
    prescription.refresh_from_db()
    assert prescription.organisation.kind == OrganisationKind.DEPARTMENT
