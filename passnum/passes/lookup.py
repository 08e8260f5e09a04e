"""Finding a pass from a typed code, with throttling of failed attempts."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from passnum.common.exceptions import TooManyRequests
from passnum.organisations.permissions import Capability, ensure_can

from . import codes, keys
from .exceptions import UnknownCode
from .models import LookupFailure, Pass

MAX_FAILURES = 20  # per member
MAX_FAILURES_PER_ORGANISATION = 60  # all members of one organisation together
WINDOW = timedelta(minutes=15)


class TooManyLookups(TooManyRequests):
    code = "throttled"
    message = "Trop de codes erronés : réessayez dans 15 minutes."


def recent_failures(limits: dict[str, int]) -> dict[str, int]:
    """Recent failures per throttle key (one query)."""
    rows = (
        LookupFailure.objects.filter(key__in=list(limits), at__gte=timezone.now() - WINDOW)
        .values("key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["key"]: row["n"] for row in rows}


def check_throttle(limits: dict[str, int], *, cause: Exception | None = None) -> None:
    """429 when any of the askers has used up its failures."""
    failures = recent_failures(limits)
    if any(failures.get(key, 0) >= limit for key, limit in limits.items()):
        raise TooManyLookups() from cause


def count_failures(limits: dict[str, int], count: int = 1, *, cause: Exception | None = None):
    """Count ``count`` failed codes for each asker, then decide: concurrent guesses cannot slip
    past the limit (over it, ``TooManyLookups``). Call it outside any transaction that will be
    rolled back, or the count goes with it."""
    LookupFailure.objects.bulk_create(
        [LookupFailure(key=key) for key in limits for _ in range(count)]
    )
    LookupFailure.objects.filter(at__lt=timezone.now() - WINDOW).delete()
    failures = recent_failures(limits)
    if any(failures.get(key, 0) > limit for key, limit in limits.items()):
        raise TooManyLookups() from cause


def _fail(limits: dict[str, int], exc: Exception):
    count_failures(limits, cause=exc)
    raise exc


def find_pass(programme, text: str, *, limits: dict[str, int]) -> Pass:
    """The programme's pass whose code is ``text``.

    A mistyped code is refused by its check symbol before any lookup (``MalformedCode``); a
    code of another programme is unknown here. ``limits`` maps who asks (throttle keys) to the
    failures allowed in 15 minutes. Call it outside the transaction of a change, or the
    counted failures would be rolled back with it.
    """
    check_throttle(limits)
    try:
        code = codes.normalise(text)
    except codes.MalformedCode as exc:
        _fail(limits, exc)
    pass_ = (
        Pass.objects.filter(programme=programme, code_digest=keys.digest(code))
        .select_related("checkbook")
        .first()
    )
    if pass_ is None:
        _fail(limits, UnknownCode())
    return pass_


def limits_for(actor) -> dict[str, int]:
    return {
        f"membership:{actor.membership.pk}": MAX_FAILURES,
        f"organisation:{actor.organisation.pk}": MAX_FAILURES_PER_ORGANISATION,
    }


def lookup_pass(actor, text: str) -> Pass:
    """A pass seen by a provider, the Département or the operator (no personal data)."""
    ensure_can(actor, Capability.LOOKUP_PASS)
    return find_pass(actor.programme, text, limits=limits_for(actor))


def find_pass_anywhere(text: str, *, limits: dict[str, int]) -> Pass:
    """The pass whose code is ``text``, whatever its programme.

    A code is unique in the whole database, so its digest names the programme; ``find_pass``
    then does the real lookup in it, checking the throttle and counting every failure. A
    malformed or unknown code is still sent to ``find_pass`` (in no programme) so that it is
    counted and refused there: ``MalformedCode``, ``UnknownCode`` or ``TooManyLookups``.
    """
    try:
        digest = keys.digest(codes.normalise(text))
    except codes.MalformedCode:
        programme_id = None
    else:
        programme_id = (
            Pass.objects.filter(code_digest=digest).values_list("programme_id", flat=True).first()
        )
    return find_pass(programme_id, text, limits=limits)
