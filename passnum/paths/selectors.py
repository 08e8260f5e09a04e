from collections import defaultdict

from django.db.models import Prefetch

from passnum.common.exceptions import NotFound

from .models import Path, PathOffer


def paths_of(programme, *, active_only: bool = False):
    """The programme's paths with their modules (prefetched), by name."""
    paths = Path.objects.filter(programme=programme).prefetch_related("modules")
    if active_only:
        paths = paths.filter(is_active=True)
    return paths


def path_for(actor, path_id) -> Path:
    """A path of the actor's programme (404 otherwise)."""
    try:
        return Path.objects.prefetch_related("modules").get(pk=path_id, programme=actor.programme)
    except Path.DoesNotExist as exc:
        raise NotFound("Parcours introuvable.") from exc


def offers_by_place(places) -> dict[int, list[Path]]:
    """For each of ``places`` (a queryset or a list), the paths offered there, by name (one
    query plus the modules')."""
    offers = (
        PathOffer.objects.filter(place__in=places)
        .select_related("path")
        .prefetch_related(Prefetch("path__modules"))
        .order_by("path__name", "pk")
    )
    found = defaultdict(list)
    for offer in offers:
        found[offer.place_id].append(offer.path)
    return dict(found)


def places_offering(path):
    """The places where ``path`` is offered, with their provider and commune."""
    return (
        PathOffer.objects.filter(path=path)
        .select_related("place__organisation", "place__commune")
        .order_by("place__name")
    )
