import math
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Coalesce

from passnum.common.exceptions import NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Organisation

from .models import Accreditation, AccreditationEvent, AccreditationStatus, BankDetails, Place

EARTH_RADIUS_KM = 6371.0


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class NearbyPlace:
    place: Place
    distance_km: float
    matching_services: list[str]


def nearest_places(
    programme, commune, services, *, limit: int = 5, path=None
) -> list[NearbyPlace]:
    """Accredited places of the programme nearest to ``commune`` that offer one of ``services``.

    With no services asked, every accredited place counts. Distances are measured between
    coordinates, from the commune's (one query).
    """
    if commune.latitude is None or commune.longitude is None:
        return []
    wanted = set(services)
    places = Place.objects.filter(
        organisation__programme=programme,
        organisation__accreditation__status=AccreditationStatus.ACCREDITED,
        latitude__isnull=False,
        longitude__isnull=False,
    ).select_related("commune", "organisation")
    if path is not None:  # only the places that offer this path
        places = places.filter(path_offers__path=path)
    found = []
    for place in places:
        matching = [code for code in place.services if code in wanted]
        if wanted and not matching:
            continue
        found.append(
            NearbyPlace(
                place,
                distance_km(commune.latitude, commune.longitude, place.latitude, place.longitude),
                matching,
            )
        )
    found.sort(key=lambda n: (n.distance_km, n.place.name))
    return found[:limit]


def is_accredited(organisation) -> bool:
    """Whether a provider organisation may redeem passes now, read from the database (one
    query); a redemption reads it with the actor instead (``accreditation_status_as_loaded``)."""
    return accreditation_status(organisation) == AccreditationStatus.ACCREDITED


# Accreditation pages


def accreditation_status_as_loaded(organisation) -> str:
    """The status of the organisation's accreditation as loaded with it: no query when the
    accreditation came with the organisation (``select_related``), one otherwise; an
    organisation with none is a draft."""
    try:
        return organisation.accreditation.status
    except Accreditation.DoesNotExist:
        return AccreditationStatus.DRAFT


def accreditation_status(organisation) -> str:
    """The provider's accreditation status; a provider with no accreditation yet is a draft."""
    status = (
        Accreditation.objects.filter(organisation=organisation)
        .values_list("status", flat=True)
        .first()
    )
    return status or AccreditationStatus.DRAFT


def accreditation_history(organisation):
    """The steps of the provider's accreditation, oldest first, with who made them."""
    return AccreditationEvent.objects.filter(
        accreditation__organisation=organisation
    ).select_related("user")


def bank_details_of(organisation) -> BankDetails | None:
    return BankDetails.objects.filter(organisation=organisation).first()


def places_of(organisation):
    """The provider's places with their communes (postal codes prefetched)."""
    return (
        Place.objects.filter(organisation=organisation)
        .select_related("commune")
        .prefetch_related("commune__postal_codes")
    )


def providers_of(programme, *, status: str | None = None):
    """The providers of the programme with their accreditation status (``accreditation_status``,
    draft when none) and their number of places; requests waiting for a decision first."""
    providers = (
        Organisation.objects.filter(programme=programme, kind=OrganisationKind.PROVIDER)
        .select_related("commune")
        .annotate(
            accreditation_status=Coalesce(
                "accreditation__status", Value(AccreditationStatus.DRAFT.value)
            ),
            places_count=Count("places", distinct=True),
            waiting=Case(
                When(accreditation__status=AccreditationStatus.SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("waiting", "name", "pk")
    )
    if status:
        providers = providers.filter(accreditation_status=status)
    return providers


def provider_for(actor, organisation_id) -> Organisation:
    """A provider of the actor's programme (404 otherwise)."""
    try:
        return Organisation.objects.select_related("programme", "commune").get(
            pk=organisation_id, programme=actor.programme, kind=OrganisationKind.PROVIDER
        )
    except Organisation.DoesNotExist as exc:
        raise NotFound("Structure introuvable.") from exc


def place_for(actor, place_id) -> Place:
    """One of the actor's organisation's places (404 otherwise)."""
    try:
        return Place.objects.select_related("commune").get(
            pk=place_id, organisation=actor.organisation
        )
    except Place.DoesNotExist as exc:
        raise NotFound("Lieu introuvable.") from exc
