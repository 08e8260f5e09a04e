"""Finding a pass from a typed code, with throttling of failed attempts."""

from datetime import timedelta

from passnum.common.exceptions import TooManyRequests
from passnum.common.throttle import Throttle
from passnum.organisations.permissions import Capability, ensure_can

from . import codes, keys
from .exceptions import UnknownCode
from .models import Pass

MAX_FAILURES = 20  # per member
MAX_FAILURES_PER_ORGANISATION = 60  # all members of one organisation together
WINDOW = timedelta(minutes=15)


class TooManyLookups(TooManyRequests):
    code = "throttled"
    message = "Trop de codes erronés : réessayez dans 15 minutes."


# Failed codes (malformed or unknown) per asker: checked before a lookup, counted after a
# failure (``CODE_FAILURES.count`` refuses once an asker goes beyond its limit).
CODE_FAILURES = Throttle("failed_code", WINDOW, TooManyLookups)


def _fail(limits: dict[str, int], exc: Exception):
    CODE_FAILURES.count(limits, cause=exc)
    raise exc


def find_pass(programme, text: str, *, limits: dict[str, int]) -> Pass:
    """The programme's pass whose code is ``text``.

    A mistyped code is refused by its check symbol before any lookup (``MalformedCode``); a
    code of another programme is unknown here. ``limits`` maps who asks (throttle keys) to the
    failures allowed in 15 minutes. Call it outside the transaction of a change, or the
    counted failures would be rolled back with it.
    """
    CODE_FAILURES.check(limits)
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
