"""Business rules of programmes and their funders."""

from django.db import transaction

from passnum.organisations.permissions import Capability, ensure_can

from .exceptions import FunderSharesExceedWhole
from .models import Funder, Programme


def lock_programme(programme) -> Programme:
    """Lock the programme's row: budget, stock and numbering change one at a time."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


@transaction.atomic
def set_funder(
    actor, programme: Programme, *, name: str, kind: str, share_basis_points: int
) -> Funder:
    """Create or update a funder; the shares of a programme never exceed 100 %."""
    ensure_can(actor, Capability.MANAGE_PROGRAMME, programme=programme)
    programme = lock_programme(programme)
    others = sum(programme.funders.exclude(name=name).values_list("share_basis_points", flat=True))
    if others + share_basis_points > 10_000:
        raise FunderSharesExceedWhole(
            "La somme des parts des financeurs atteindrait "
            f"{(others + share_basis_points) / 100:g} %, au-delà de 100 %."
        )
    funder, _ = Funder.objects.update_or_create(
        programme=programme,
        name=name,
        defaults={"kind": kind, "share_basis_points": share_basis_points},
    )
    return funder
