"""What a provider sees of its sessions: dates, services, serials and amounts — never a person."""

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from passnum.common.exceptions import NotFound
from passnum.organisations.permissions import Capability, ensure_can

from .models import Redemption, Session


def _sessions(actor):
    return (
        Session.objects.filter(programme=actor.programme, organisation=actor.organisation)
        .select_related("path", "place")
        .annotate(
            # an undone session keeps its history but no longer counts
            passes_count=Count("redemptions", filter=Q(redemptions__undone_at__isnull=True)),
            amount_cents=Coalesce(
                Sum(
                    "redemptions__pass_obj__value_cents",
                    filter=Q(redemptions__undone_at__isnull=True),
                ),
                0,
            ),
            in_statement=Exists(
                Redemption.objects.filter(session=OuterRef("pk"), statement__isnull=False)
            ),
        )
    )


def sessions_of(actor):
    """The actor's organisation's sessions, newest first, with their passes count and amount
    (one query)."""
    ensure_can(actor, Capability.REDEEM)
    return _sessions(actor).order_by("-created_at", "-pk")


def session_for(actor, session_id) -> Session:
    """One of the actor's organisation's sessions; 404 for any other."""
    ensure_can(actor, Capability.REDEEM)
    session = _sessions(actor).filter(pk=session_id).first()
    if session is None:
        raise NotFound("Séance introuvable.")
    return session


def redeemed_serials(session) -> list[str]:
    """The serials of the passes redeemed for the session (undone ones included)."""
    return list(
        Redemption.objects.filter(session=session)
        .order_by("pass_obj__serial")
        .values_list("pass_obj__serial", flat=True)
    )


def redemption_receipt(actor, session_id) -> dict:
    """The answer a redemption gave, rebuilt for a retried request (``Idempotency-Key``): the
    session, its passes in the order they were typed and their amount — as they were recorded,
    even if the session was undone since."""
    session = session_for(actor, session_id)
    passes = list(
        Redemption.objects.filter(session=session)
        .order_by("pk")
        .values_list("pass_obj__serial", "pass_obj__value_cents")
    )
    return {
        "session_id": session.pk,
        "redeemed": [serial for serial, _ in passes],
        "amount_cents": sum(cents for _, cents in passes),
    }
