"""Operator pages (the pilot of the programme)."""

from django.shortcuts import render

from passnum.common.exceptions import NotAllowed
from passnum.common.formats import percent
from passnum.organisations.permissions import Capability, can
from passnum.reporting.selectors import self_referred_redemptions

from ..shared.decorators import actor_required


@actor_required
def misuse(request):
    """Per provider, the passes it redeemed for people its own organisation referred."""
    actor = request.actor
    if not can(actor, Capability.EXPORT):
        raise NotAllowed("Seul le pilote du programme voit ce signalement.")
    rows = [
        {"row": row, "share": percent(row.share)}
        for row in self_referred_redemptions(actor.programme)
    ]
    return render(
        request,
        "www/reporting/misuse.html",
        {"title": "Pass encaissés pour ses propres orientations", "rows": rows},
    )
