"""What a printed checkbook contains."""

from passnum.organisations.enums import OrganisationKind
from passnum.passes import keys
from passnum.passes.documents import checkbook_document, checkbook_for
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from tests.factories import ReferralFactory


def test_a_reprint_shows_only_the_passes_still_usable(programme, make_actor):
    department = make_actor(OrganisationKind.DEPARTMENT)
    generate_passes(programme, 5)
    prescription = prescribe(department, ReferralFactory(beneficiary__programme=programme))
    checkbook = checkbook_for(department, prescription.checkbook.pk)
    used, expired, *usable = checkbook.passes.order_by("serial")
    Pass.objects.filter(pk=used.pk).update(status=PassStatus.REDEEMED)
    Pass.objects.filter(pk=expired.pk).update(status=PassStatus.EXPIRED)

    document = checkbook_document(checkbook)

    assert [p.serial for p in document.passes] == [p.serial for p in usable]
    assert [p.code for p in document.passes] == [keys.decrypt(p.code_encrypted) for p in usable]
    assert document.total_cents == 3 * programme.pass_value_cents
    assert document.first_name == checkbook.beneficiary.first_name
