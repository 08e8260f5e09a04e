"""The accredited places in the national standard's CSV (« schéma des lieux de médiation
numérique »), for the national map and open data."""

import csv
import io
import re

from django.utils import timezone

from passnum.common.text import spreadsheet_safe
from passnum.referential.enums import Public, Service

from .models import AccreditationStatus, Place, PlaceAccess, SupportMode

COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "itinerance",
    "modalites_acces",
    "modalites_accompagnement",
]
SOURCE = "passnum"
SEPARATOR = "|"
# A person pays a Pass numérique place with the passes they were given: free for them under the
# condition of holding passes, whatever the place asks from others.
# The standard's own value, word for word.
FEES = (
    "Gratuit sous condition : La gratuité est conditionnée à des critères (situation familiale, "
    "convention avec un organisme social...)"
)
# The standard's wording of the access and support modes.
ACCESS_VALUES = {
    PlaceAccess.WALK_IN: "Se présenter",
    PlaceAccess.PHONE: "Téléphoner",
    PlaceAccess.EMAIL: "Contacter par mail",
    PlaceAccess.APPOINTMENT: "Prendre un RDV en ligne",
}
SUPPORT_VALUES = {
    SupportMode.ALONE: "Seul : j'ai accès à du matériel et une connexion",
    SupportMode.HELPED: "Avec de l'aide : je suis accompagné seul dans l'usage du numérique",
    SupportMode.GROUP: "Dans un atelier : j'apprends collectivement à utiliser le numérique",
    SupportMode.ON_BEHALF: "A ma place : une personne habilitée fait les démarches à ma place",
}


def international_phone(phone: str) -> str:
    """« 04 66 00 00 00 » → « +33466000000 » (the standard's format); other numbers as typed."""
    digits = re.sub(r"[^0-9+]", "", phone or "")
    if re.fullmatch(r"0[1-9][0-9]{8}", digits):
        return "+33" + digits[1:]
    return digits


def _labels(codes, enum, wording=None) -> str:
    known = [member for member in enum if member.value in codes]  # the vocabulary's order
    return SEPARATOR.join(wording[c] if wording else c.label for c in known)


def place_row(place: Place) -> dict:
    commune = place.commune
    postal_codes = commune.postal_code_list
    organisation = place.organisation
    return {
        "id": str(place.pk),
        "pivot": organisation.siret,
        "nom": place.name,
        "commune": commune.name,
        "code_postal": postal_codes[0] if postal_codes else "",
        "code_insee": commune.insee_code,
        "adresse": place.address,
        "latitude": "" if place.latitude is None else str(place.latitude),
        "longitude": "" if place.longitude is None else str(place.longitude),
        "typologie": "",
        "telephone": international_phone(place.phone),
        "courriels": place.email,
        "site_web": "",
        "horaires": place.opening_hours,
        "presentation_resume": "",
        "presentation_detail": "",
        "source": SOURCE,
        "structure_parente": organisation.name,
        "date_maj": timezone.localdate(place.updated_at).isoformat(),
        "services": _labels(place.services, Service),
        "publics_specifiquement_adresses": _labels(place.publics, Public),
        "prise_en_charge_specifique": "",
        "frais_a_charge": FEES,
        "itinerance": "Itinérant" if place.is_itinerant else "Fixe",
        "modalites_acces": _labels(place.access_modes, PlaceAccess, ACCESS_VALUES),
        "modalites_accompagnement": _labels(place.support_modes, SupportMode, SUPPORT_VALUES),
    }


def accredited_places(programme):
    return (
        Place.objects.filter(
            organisation__programme=programme,
            organisation__accreditation__status=AccreditationStatus.ACCREDITED,
        )
        .select_related("organisation", "commune")
        .prefetch_related("commune__postal_codes")
        .order_by("pk")
    )


def accredited_places_csv(programme) -> str:
    """The accredited places of the programme: comma-separated, UTF-8, one header row."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for place in accredited_places(programme):
        writer.writerow({k: spreadsheet_safe(v) for k, v in place_row(place).items()})
    return output.getvalue()
