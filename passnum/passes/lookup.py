"""Finding a pass from a typed code, with throttling of failed attempts."""

from datetime import timedelta

from django.utils import timezone

from passnum.common.exceptions import TooManyRequests
from passnum.organisations.permissions import Capability, ensure_can

from . import codes, keys
from .exceptions import UnknownCode
from .models import LookupFailure, Pass

MAX_FAILURES = 20
WINDOW = timedelta(minutes=15)


class TooManyLookups(TooManyRequests):
    code = "throttled"
    message = "Trop de codes erronés : réessayez dans 15 minutes."


def _check_throttle(key: str) -> None:
    since = timezone.now() - WINDOW
    if LookupFailure.objects.filter(key=key, at__gte=since).count() >= MAX_FAILURES:
        raise TooManyLookups()


def _fail(key: str, exc: Exception):
    LookupFailure.objects.create(key=key)
    LookupFailure.objects.filter(at__lt=timezone.now() - WINDOW).delete()
    raise exc


def find_pass(programme, text: str, *, throttle_key: str) -> Pass:
    """The programme's pass whose code is ``text``.

    A mistyped code is refused by its check symbol before any lookup (``MalformedCode``); a
    code of another programme is unknown here. ``throttle_key`` (who asks) counts the failures.
    """
    _check_throttle(throttle_key)
    try:
        code = codes.normalise(text)
    except codes.MalformedCode as exc:
        _fail(throttle_key, exc)
    pass_ = (
        Pass.objects.filter(programme=programme, code_digest=keys.digest(code))
        .select_related("checkbook")
        .first()
    )
    if pass_ is None:
        _fail(throttle_key, UnknownCode())
    return pass_


def lookup_pass(actor, text: str) -> Pass:
    """A pass seen by a provider, the Département or the operator (no personal data)."""
    ensure_can(actor, Capability.LOOKUP_PASS)
    return find_pass(actor.programme, text, throttle_key=f"membership:{actor.membership.pk}")
