"""Training paths: the operator defines them, providers say where they offer them.

Each change runs in one transaction; a path's modules are replaced as a whole.
"""

from django.db import IntegrityError, transaction

from passnum.common.exceptions import InvalidInput, NotFound
from passnum.organisations.permissions import Capability, ensure_can
from passnum.referential.enums import Public, Service

from .exceptions import AlreadyOffered, NotOffered, PathInactive, PlaceDoesNotCover
from .models import Path, PathModule, PathOffer

NAME_MAX = 150
DESCRIPTION_MAX = 2000
MODULE_TITLE_MAX = 200
MODULE_HOURS_MAX = 100
MODULES_MAX = 20


def _codes(values, enum, field: str, message: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [str(v) for v in values if v not in enum.values]
    if unknown:
        raise InvalidInput(f"{message} : {', '.join(unknown)}.", code="invalid_input", field=field)
    return [v for v in enum.values if v in values]  # the vocabulary's order


def clean_modules(modules) -> list[tuple[str, int]]:
    """``[(title, hours), …]``: each titled, from 1 to 100 hours."""
    cleaned = []
    for number, (title, hours) in enumerate(modules or [], start=1):
        title = " ".join(str(title or "").split())
        if not title:
            raise InvalidInput(
                f"Le module {number} n'a pas d'intitulé.", code="invalid_input", field="modules"
            )
        if len(title) > MODULE_TITLE_MAX:
            raise InvalidInput(
                f"L'intitulé du module {number} dépasse {MODULE_TITLE_MAX} caractères.",
                code="invalid_input",
                field="modules",
            )
        if isinstance(hours, bool) or not isinstance(hours, int):
            try:
                hours = int(str(hours).strip())
            except ValueError:
                hours = 0
        if not 1 <= hours <= MODULE_HOURS_MAX:
            raise InvalidInput(
                f"La durée du module « {title} » doit être un nombre entier d'heures, de 1 à "
                f"{MODULE_HOURS_MAX}.",
                code="invalid_input",
                field="modules",
            )
        cleaned.append((title, hours))
    if not cleaned:
        raise InvalidInput(
            "Indiquez au moins un module et sa durée.", code="invalid_input", field="modules"
        )
    if len(cleaned) > MODULES_MAX:
        raise InvalidInput(
            f"Un parcours compte au plus {MODULES_MAX} modules.",
            code="invalid_input",
            field="modules",
        )
    return cleaned


def save_path(
    actor,
    path: Path | None = None,
    *,
    name: str,
    services,
    modules,
    target_publics=(),
    description: str = "",
    is_active: bool = True,
) -> Path:
    """Create a path of the actor's programme, or change one (its modules replaced as a whole).

    Deactivating a path keeps its offers: they come back if it is proposed again, and sessions
    already recorded keep it.
    """
    ensure_can(
        actor, Capability.MANAGE_FRAMEWORK, programme=path.programme if path is not None else None
    )
    programme = actor.programme
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Indiquez le nom du parcours.", code="invalid_input", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            f"Le nom dépasse {NAME_MAX} caractères.", code="invalid_input", field="name"
        )
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            f"La description dépasse {DESCRIPTION_MAX} caractères.",
            code="invalid_input",
            field="description",
        )
    services = _codes(services, Service, "services", "Service(s) inconnu(s)")
    if not services:
        raise InvalidInput(
            "Indiquez au moins un service couvert par le parcours.",
            code="invalid_input",
            field="services",
        )
    publics = _codes(target_publics, Public, "target_publics", "Public(s) inconnu(s)")
    modules = clean_modules(modules)
    duplicate = InvalidInput(
        f"Le programme a déjà un parcours nommé « {name} ».", code="invalid_input", field="name"
    )
    same_name = Path.objects.filter(programme=programme, name__iexact=name)
    if path is not None:
        same_name = same_name.exclude(pk=path.pk)
    if same_name.exists():
        raise duplicate
    values = {
        "name": name,
        "description": description,
        "services": services,
        "target_publics": publics,
        "is_active": bool(is_active),
    }
    try:
        with transaction.atomic():
            if path is None:
                path = Path.objects.create(programme=programme, **values)
            else:
                path = Path.objects.select_for_update().get(pk=path.pk)
                for field, value in values.items():
                    setattr(path, field, value)
                path.save()
                path.modules.all().delete()
            PathModule.objects.bulk_create(
                PathModule(path=path, position=position, title=title, hours=hours)
                for position, (title, hours) in enumerate(modules, start=1)
            )
    except IntegrityError as exc:  # a concurrent save of the same name
        raise duplicate from exc
    return path


def _check_offer(actor, path, place) -> None:
    ensure_can(actor, Capability.DECLARE_OFFER, programme=path.programme)
    if place.organisation_id != actor.organisation.pk:
        raise NotFound("Lieu introuvable.")


def offer_path(actor, path, place) -> PathOffer:
    """The provider offers an active path of its programme at one of its own places, which must
    propose every service the path covers."""
    _check_offer(actor, path, place)
    if not path.is_active:
        raise PathInactive(f"Le parcours « {path.name} » n'est plus proposé.", field="path")
    missing = [Service(code).label for code in path.services if code not in place.services]
    if missing:
        raise PlaceDoesNotCover(
            f"« {place.name} » ne propose pas tous les services du parcours « {path.name} » : "
            f"ajoutez d'abord {', '.join(missing)} aux services du lieu.",
            field="path",
        )
    try:
        with transaction.atomic():
            return PathOffer.objects.create(path=path, place=place)
    except IntegrityError as exc:
        raise AlreadyOffered(
            f"« {place.name} » propose déjà le parcours « {path.name} »."
        ) from exc


def withdraw_path_offer(actor, path, place) -> None:
    """The provider stops offering a path at one of its places."""
    _check_offer(actor, path, place)
    deleted, _ = PathOffer.objects.filter(path=path, place=place).delete()
    if not deleted:
        raise NotOffered(f"« {place.name} » ne propose pas le parcours « {path.name} ».")
