"""API tokens: issued after a password check, stored hashed, bound to one membership, revoked
for good (by their owner here; by a password change or a deactivation in the models)."""

import hashlib
import secrets
from dataclasses import dataclass

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from passnum.organisations.actor import Actor
from passnum.organisations.exceptions import MembershipNotFound
from passnum.organisations.selectors import current_membership

from .exceptions import InvalidCredentials, TokenNotFound
from .models import ApiToken, Revocation
from .throttling import lockout_error, reset_account


@dataclass(frozen=True)
class TokenActor(Actor):
    """An actor of the API: who acts, and through which token (its id), known without a query."""

    token_id: int


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(request, username: str, password: str, organisation_id: int | None = None):
    """Check the credentials (throttled by django-axes) and return ``(key, ApiToken)``.

    The token acts through the membership of ``organisation_id`` when given, else through the
    user's first active membership.
    """
    try:
        user = authenticate(request, username=username, password=password)
    except AxesBackendPermissionDenied as exc:
        raise lockout_error(request)() from exc
    if getattr(request, "axes_locked_out", False):
        raise lockout_error(request)()
    if user is None or not user.is_active:
        raise InvalidCredentials
    if settings.AXES_RESET_ON_SUCCESS:
        reset_account(user.get_username())  # as a web login does (``user_logged_in``)
    memberships = user.memberships.filter(is_active=True)
    membership_id = None
    if organisation_id is not None:
        chosen = memberships.filter(organisation_id=organisation_id).first()
        if chosen is None:
            raise MembershipNotFound
        membership_id = chosen.pk
    membership = current_membership(user, membership_id)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        key_hash=hash_token(key),
        membership=membership,
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    return key, token


def actor_for_token(key: str) -> TokenActor | None:
    """The actor behind a bearer token, or None when it is unknown, expired, revoked or
    deactivated."""
    if not key or len(key) > 200:
        return None
    # One query, on every API request: the token with its member, organisation, programme and
    # (for a provider) accreditation, which the redemption checks without another query. No
    # ORDER BY: ``key_hash`` is unique.
    tokens = ApiToken.objects.select_related(
        "membership__user",
        "membership__organisation__programme",
        "membership__organisation__accreditation",
    ).filter(
        key_hash=hash_token(key),
        expires_at__gt=timezone.now(),
        revoked_at__isnull=True,
        membership__is_active=True,
        membership__user__is_active=True,
    )
    token = next(iter(tokens), None)
    return TokenActor(token.membership, token.pk) if token else None


@transaction.atomic
def revoke_token(user, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens (someone else's is ``TokenNotFound``); revoking it again
    changes nothing."""
    token = (
        ApiToken.objects.of_user(user)
        .select_for_update(of=("self",))
        .select_related("membership__organisation")
        .filter(pk=token_id)
        .first()
    )
    if token is None:
        raise TokenNotFound
    if token.revoked_at is None:
        token.revoked_at, token.revoked_reason = timezone.now(), Revocation.OWNER
        token.save(update_fields=["revoked_at", "revoked_reason"])
    return token
