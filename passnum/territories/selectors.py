"""Finding communes from what a person types."""

import re

from passnum.common.text import normalise_name

from .exceptions import AmbiguousCommune, UnknownCommune
from .models import Commune

INSEE_RE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
POSTAL_RE = re.compile(r"\b([0-9]{5})\b")


def resolve_commune(text: str, department_code: str) -> Commune:
    """Return the one commune of the territory that ``text`` designates.

    ``text`` may be an INSEE code (« 48095 »; when the same five digits are also another
    commune's postal code, the input is ambiguous), a name (« Mende », « st chely d'apcher »),
    a postal code when it belongs to one commune only (« 48200 » does not), or a postal code and
    a name together (« 48000 Mende », « Mende (48000) »). Raises ``UnknownCommune`` or
    ``AmbiguousCommune`` (whose ``candidates`` lists the possible communes).
    """
    raw = (text or "").strip()
    if not raw:
        raise UnknownCommune("Indiquez une commune (nom, code postal ou code INSEE).")
    communes = Commune.objects.of_department(department_code).prefetch_related("postal_codes")

    if INSEE_RE.match(raw.upper()):
        by_insee = communes.filter(insee_code=raw.upper()).first()
        by_postal = list(communes.filter(postal_codes__code=raw).exclude(insee_code=raw)[:10])
        if by_insee is not None and not by_postal:
            return by_insee
        if by_insee is not None:
            # In Lozère INSEE codes (48001-48198) and postal codes (48000-48800) overlap.
            raise AmbiguousCommune(
                f"« {raw} » est le code INSEE de {by_insee.name} et le code postal de "
                f"{', '.join(c.name for c in by_postal)}. Indiquez le nom de la commune.",
                candidates=[by_insee, *by_postal],
            )

    postal_match = POSTAL_RE.search(raw)
    name_part = normalise_name(POSTAL_RE.sub(" ", raw))
    if postal_match:
        communes = communes.filter(postal_codes__code=postal_match.group(1)).distinct()
    if name_part:
        communes = communes.filter(search_name=name_part)
    candidates = list(communes[:11])
    if not candidates:
        raise UnknownCommune(f"Aucune commune du territoire ne correspond à « {raw} ».")
    if len(candidates) > 1:
        names = ", ".join(c.label for c in candidates[:10])
        raise AmbiguousCommune(
            f"Plusieurs communes correspondent à « {raw} » : {names}. Précisez le nom "
            "ou le code INSEE.",
            candidates=candidates,
        )
    return candidates[0]


def commune_by_insee(insee_code: str, department_code: str) -> Commune:
    """The commune of the territory with this INSEE code (for API fields named ``*_insee``)."""
    code = (insee_code or "").strip().upper()
    commune = Commune.objects.of_department(department_code).filter(insee_code=code).first()
    if commune is None:
        raise UnknownCommune(f"Aucune commune du territoire n'a le code INSEE « {code} ».")
    return commune


def search_communes(text: str, department_code: str, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with, or whose postal code is, what was typed."""
    raw = (text or "").strip()
    communes = Commune.objects.of_department(department_code).prefetch_related("postal_codes")
    if not raw:
        return []
    if raw.isdigit():
        return list(communes.filter(postal_codes__code__startswith=raw).distinct()[:limit])
    return list(communes.filter(search_name__startswith=normalise_name(raw))[:limit])


def communes_of(department_code: str):
    """The communes of the territory, by name, with their coordinates and intercommunality
    (a filter's choices, a map's dots)."""
    return (
        Commune.objects.of_department(department_code)
        .select_related("epci")
        .only("insee_code", "name", "latitude", "longitude", "epci__code", "epci__name")
        .order_by("name", "insee_code")
    )
