"""``Idempotency-Key``: a client that lost the answer to a state-changing request sends it again
with the same key and gets the first answer, instead of a second action or a refusal of its own
success (« already redeemed »).

The same key with the same body within 24 hours replays the first answer (header
``Idempotent-Replayed: true``); with another body it is refused (422
``idempotency_key_reused``). Keys belong to the member who sent them. A refused request changed
nothing and is not remembered: sent again, it is simply run again.

The record of the key is written in the transaction of the action itself: both are kept or
neither is. Two requests sent at once with one key: the database keeps one record, the other
request's action is rolled back and it answers with the first one's result.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from passnum.common.exceptions import DomainError, InvalidInput

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
LIFETIME = timedelta(hours=24)
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no space


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency_key_reused"
    message = (
        "Cette clé d'idempotence a déjà servi, dans les dernières 24 heures, pour une requête "
        "différente : utilisez une nouvelle clé pour une nouvelle requête."
    )


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    message = (
        "La clé d'idempotence doit compter de 1 à 255 caractères ASCII imprimables, sans "
        "espace (par exemple un UUID)."
    )


@dataclass(frozen=True)
class Outcome:
    """What an idempotent route did: the id of what it created, and its answer."""

    result_id: int
    status: int
    body: dict
    replayed: bool = False


def digest(payload, params: dict | None = None) -> str:
    """The request's fingerprint: its path parameters and its body, as validated, in a
    canonical JSON form."""
    data = {
        "params": params or {},
        "body": payload.model_dump(mode="json") if payload is not None else None,
    }
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _find(membership_id, operation, key) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(
        membership_id=membership_id, operation=operation, key=key
    ).first()


def _replay(found, request_digest, rebuild) -> Outcome:
    if found.request_digest != request_digest:
        raise IdempotencyKeyReused(field=HEADER)
    return Outcome(found.result_id, found.status_code, rebuild(found.result_id), replayed=True)


def run(
    request,
    *,
    operation: str,
    key: str | None,
    payload,
    params: dict | None = None,
    act: Callable[[], Outcome],
    rebuild: Callable[[int], dict],
) -> Outcome:
    """Run ``act`` once per key: ``act`` performs the action and gives its outcome; ``rebuild``
    gives the answer again from the id of what was created. Without a key, ``act`` runs as
    usual (and costs no query more)."""
    if key is None:
        return act()
    if not KEY.match(key):
        raise InvalidIdempotencyKey(field=HEADER)
    membership_id = request.auth.membership.pk
    request_digest = digest(payload, params)
    found = _find(membership_id, operation, key)
    if found is not None and found.created_at >= timezone.now() - LIFETIME:
        return _replay(found, request_digest, rebuild)
    refusal = None
    try:
        with transaction.atomic():
            if found is not None:  # an expired key: used again as a new one
                IdempotentRequest.objects.filter(pk=found.pk).delete()
            try:
                outcome = act()
            except DomainError as exc:
                # Nothing was changed (the action is all or nothing), but what the action counted
                # on its way (failed codes) is kept: the exception does not roll back here.
                refusal = exc
            else:
                IdempotentRequest.objects.create(
                    membership_id=membership_id,
                    operation=operation,
                    key=key,
                    request_digest=request_digest,
                    result_id=outcome.result_id,
                    status_code=outcome.status,
                )
    except IntegrityError:
        # The same key was recorded by a request sent at the same time: its action won, this
        # one was rolled back; answer as it did.
        found = _find(membership_id, operation, key)
        if found is None:
            raise
        return _replay(found, request_digest, rebuild)
    if refusal is not None:
        # Refused because the twin request sent at the same time succeeded first (« already
        # redeemed »)? Then its answer is this request's answer too.
        found = _find(membership_id, operation, key)
        if found is not None and found.request_digest == request_digest:
            return _replay(found, request_digest, rebuild)
        raise refusal
    return outcome


def mark(response, outcome: Outcome) -> None:
    """Say on the route's response (django-ninja's ``response`` argument) that it is a replay."""
    if outcome.replayed:
        response[REPLAYED_HEADER] = "true"
