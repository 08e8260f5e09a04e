"""Limits on events per key in a sliding window, counted in the database (``ThrottleHit``) so
that several application servers share them.

A ``Throttle`` has a scope (its own count), a window and the ``TooManyRequests`` it raises.
Callers give ``limits``: who asks (keys such as ``"ip:203.0.113.7"`` or
``"email:jeanne@exemple.fr"``) mapped to the events each may have in the window. Keys are stored
as a keyed hash (HMAC of ``SECRET_KEY``), never in clear: they may be personal data.

- ``check(limits)``: refuse when any key has used up its limit (one query);
- ``record(limits, n)``: count ``n`` events for each key, then tell which keys went beyond
  their limit: concurrent requests cannot slip past it (three queries: insert, purge of this
  scope's old events, recount);
- ``count(limits, n)``: ``record``, and refuse when any key went beyond.

Record outside any transaction that will be rolled back, or the count goes with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .exceptions import TooManyRequests
from .models import ThrottleHit

HASH_SALT = "passnum.common.throttle"


@dataclass(frozen=True)
class Throttle:
    scope: str
    window: timedelta
    error: type[TooManyRequests] = TooManyRequests

    def digest(self, key: str) -> str:
        """The stored form of a key (64 hexadecimal characters)."""
        return salted_hmac(HASH_SALT, key, algorithm="sha256").hexdigest()

    def stored(self, key: str):
        """This key's events, recent or not yet purged."""
        return ThrottleHit.objects.filter(scope=self.scope, key=self.digest(key))

    def recent(self, keys: Iterable[str]) -> dict[str, int]:
        """Events in the window per key (keys without any are left out). One query."""
        by_digest = {self.digest(key): key for key in keys}
        rows = (
            ThrottleHit.objects.filter(
                scope=self.scope,
                key__in=list(by_digest),
                at__gte=timezone.now() - self.window,
            )
            .values("key")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {by_digest[row["key"]]: row["n"] for row in rows}

    def over(self, limits: dict[str, int]) -> list[str]:
        """The keys that have used up their limit: one more event would go beyond it."""
        recent = self.recent(limits)
        return [key for key, limit in limits.items() if recent.get(key, 0) >= limit]

    def check(self, limits: dict[str, int], *, cause: Exception | None = None) -> None:
        if self.over(limits):
            raise self.error() from cause

    def record(self, limits: dict[str, int], count: int = 1) -> list[str]:
        """Count ``count`` events for each key; the keys now beyond their limit."""
        ThrottleHit.objects.bulk_create(
            [
                ThrottleHit(scope=self.scope, key=self.digest(key))
                for key in limits
                for _ in range(count)
            ]
        )
        ThrottleHit.objects.filter(scope=self.scope, at__lt=timezone.now() - self.window).delete()
        recent = self.recent(limits)
        return [key for key, limit in limits.items() if recent.get(key, 0) > limit]

    def count(self, limits: dict[str, int], count: int = 1, *, cause: Exception | None = None):
        if self.record(limits, count):
            raise self.error() from cause
