import math
from dataclasses import dataclass

from .models import Accreditation, AccreditationStatus, Place

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


def nearest_places(programme, commune, services, *, limit: int = 5) -> list[NearbyPlace]:
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
    """Whether a provider organisation may redeem passes now (one query)."""
    return Accreditation.objects.filter(
        organisation=organisation, status=AccreditationStatus.ACCREDITED
    ).exists()
