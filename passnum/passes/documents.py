"""What a printed checkbook shows, for the PDF and its equivalent HTML page."""

import datetime
from dataclasses import dataclass

from passnum.common.exceptions import NotFound
from passnum.organisations.permissions import Capability, ensure_can
from passnum.providers.selectors import NearbyPlace, nearest_places
from passnum.referential.enums import Service

from . import codes, keys
from .enums import PassStatus
from .models import Checkbook

NEAREST_PLACES = 5


@dataclass(frozen=True)
class PrintedPass:
    serial: str
    code: str  # normalised: the QR code's payload
    value_cents: int
    expires_on: datetime.date

    @property
    def code_display(self) -> str:
        return codes.display(self.code)


@dataclass(frozen=True)
class CheckbookDocument:
    checkbook: Checkbook
    first_name: str
    commune_name: str
    expires_on: datetime.date
    needs: list[str]  # labels
    passes: list[PrintedPass]
    places: list[NearbyPlace]
    programme_name: str

    @property
    def total_cents(self) -> int:
        return sum(p.value_cents for p in self.passes)


def checkbook_for(actor, checkbook_id) -> Checkbook:
    """A checkbook of the actor's programme the actor may print, or ``NotFound``."""
    ensure_can(actor, Capability.PRINT_CHECKBOOK)
    checkbook = (
        Checkbook.objects.filter(programme=actor.programme, pk=checkbook_id)
        .select_related("beneficiary__commune", "programme", "prescription__referral")
        .first()
    )
    if checkbook is None:
        raise NotFound("Chéquier introuvable.")
    return checkbook


def checkbook_document(checkbook) -> CheckbookDocument:
    """The content of the printed checkbook: its passes still usable (codes decrypted: a
    reprint leaves out the used, expired and cancelled ones) and the accredited places nearest
    to the person that offer what they need."""
    beneficiary = checkbook.beneficiary
    referral = checkbook.prescription.referral
    passes = [
        PrintedPass(p.serial, keys.decrypt(p.code_encrypted), p.value_cents, p.expires_on)
        for p in checkbook.passes.filter(status=PassStatus.ASSIGNED).order_by("serial")
    ]
    return CheckbookDocument(
        checkbook=checkbook,
        first_name=beneficiary.first_name,
        commune_name=beneficiary.commune.name,
        expires_on=checkbook.expires_on,
        needs=[Service(code).label for code in referral.needs],
        passes=passes,
        places=nearest_places(
            checkbook.programme, beneficiary.commune, referral.needs, limit=NEAREST_PLACES
        ),
        programme_name=checkbook.programme.name,
    )
