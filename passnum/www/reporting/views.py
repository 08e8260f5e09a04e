"""Operator pages (the pilot of the programme)."""

from django.shortcuts import render

from passnum.common.formats import percent
from passnum.organisations.permissions import Capability, ensure_can
from passnum.reporting.selectors import self_referred_redemptions

from ..shared.decorators import actor_required


@actor_required
def misuse(request):
    """Per provider, the passes it redeemed for people its own organisation referred."""
    actor = request.actor
    ensure_can(actor, Capability.VIEW_MISUSE)
    rows = [
        {"row": row, "share": percent(row.share)}
        for row in self_referred_redemptions(actor.programme)
    ]
    return render(
        request,
        "www/reporting/misuse.html",
        {"title": "Pass encaissés pour ses propres orientations", "rows": rows},
    )
