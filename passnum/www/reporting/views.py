"""Operator pages (the pilot of the programme)."""

from django.shortcuts import render

from passnum.common.formats import percent
from passnum.reporting.indicators import BURST_MIN_CHECKBOOKS, BURST_MIN_PASSES, misuse_signals

from ..shared.decorators import actor_required


@actor_required
def misuse(request):
    """Misuse signals: per provider, the passes it redeemed for people its own organisation
    referred; the days a provider declared many passes of many checkbooks at once."""
    signals = misuse_signals(request.actor)
    rows = [{"row": row, "share": percent(row.share)} for row in signals.self_referred]
    return render(
        request,
        "www/reporting/misuse.html",
        {
            "title": "Signalements",
            "rows": rows,
            "bursts": signals.bursts,
            "burst_passes": BURST_MIN_PASSES,
            "burst_checkbooks": BURST_MIN_CHECKBOOKS,
        },
    )
