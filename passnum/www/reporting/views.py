"""Operator pages (the pilot of the programme)."""

from django.shortcuts import render

from passnum.common.formats import percent
from passnum.organisations.permissions import Capability, ensure_can
from passnum.reporting.indicators import BURST_MIN_CHECKBOOKS, BURST_MIN_PASSES, bursts_of
from passnum.reporting.selectors import self_referred_redemptions

from ..shared.decorators import actor_required


@actor_required
def misuse(request):
    """Misuse signals: per provider, the passes it redeemed for people its own organisation
    referred; the days a provider declared many passes of many checkbooks at once."""
    actor = request.actor
    ensure_can(actor, Capability.VIEW_MISUSE)
    rows = [
        {"row": row, "share": percent(row.share)}
        for row in self_referred_redemptions(actor.programme)
    ]
    return render(
        request,
        "www/reporting/misuse.html",
        {
            "title": "Signalements",
            "rows": rows,
            "bursts": bursts_of(actor.programme),
            "burst_passes": BURST_MIN_PASSES,
            "burst_checkbooks": BURST_MIN_CHECKBOOKS,
        },
    )
