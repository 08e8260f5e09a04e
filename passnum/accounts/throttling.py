"""Login limits (django-axes, web and API alike): failures are counted per account whatever
their source address, and per address whatever the account, each against its own limit.
Password-reset emails: limited per address and per client (``passnum.common.throttle``)."""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import JsonResponse
from django.shortcuts import render

from passnum.common.throttle import Throttle

from .exceptions import TooManyAttempts, TooManyAttemptsFromAddress, TooManyResetRequests

# Set on the request by ``LoginThrottle.get_failures``: which limit locked the login out.
LOCKED_BY = "passnum_locked_by"


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler with two limits instead of one.

    - an account: ``AXES_FAILURE_LIMIT`` failures in ``AXES_COOLOFF_TIME``, from any addresses
      (a distributed guesser is stopped);
    - an address: ``PASSNUM_LOGIN_FAILURES_PER_ADDRESS`` failures, on any accounts (higher: a
      whole office may share one address).

    A successful login clears its own account's failures only: logging into one's own account
    clears neither someone else's failures nor the address's.
    """

    def get_failures(self, request, credentials=None) -> int:
        """The account's failures, or the account's limit once the address is over its own:
        django-axes compares this number with ``AXES_FAILURE_LIMIT``. One query."""
        username = get_client_username(request, credentials)
        ip_address = request.axes_ip_address
        account, address = Q(username=username), Q(ip_address=ip_address)
        counts = AccessAttempt.objects.filter(
            account | address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(
            account=Sum("failures_since_start", filter=account),
            address=Sum("failures_since_start", filter=address),
        )
        failures, from_address = counts["account"] or 0, counts["address"] or 0
        limit = get_failure_limit(request, credentials)
        if failures < limit and from_address >= settings.PASSNUM_LOGIN_FAILURES_PER_ADDRESS:
            setattr(request, LOCKED_BY, TooManyAttemptsFromAddress)
            return limit
        setattr(request, LOCKED_BY, TooManyAttempts)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def reset_account(username: str) -> None:
    """Lift the lock of an account (its failures, from every address)."""
    AccessAttempt.objects.filter(username=username).delete()


def lockout_error(request) -> type[TooManyAttempts]:
    return getattr(request, LOCKED_BY, TooManyAttempts)


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once a login is locked out: JSON for the API, a page otherwise."""
    error = lockout_error(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": error.message, "code": error.code}, status=429)
    return render(
        request,
        "registration/locked_out.html",
        {
            "title": "Connexion temporairement bloquée",
            "message": error.message,
            "offer_reset": error is TooManyAttempts,
        },
        status=429,
    )


# Password-reset emails, per hour: to one address, asked by one client.
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 10
PASSWORD_RESETS = Throttle("password_reset", timedelta(hours=1), TooManyResetRequests)


def reset_email_allowed(email: str, client_ip: str) -> bool:
    """Whether to send a reset email to ``email``, asked from ``client_ip``.

    ``False`` once the address has had its emails for the hour: the page then answers as
    usual, so that nobody learns whether an account has this address. ``TooManyResetRequests``
    once the client has asked too often. A key already at its limit is not counted again, so
    that its hour can pass.
    """
    by_client, by_address = f"ip:{client_ip}", f"email:{email.strip().lower()}"
    limits = {by_client: RESETS_PER_CLIENT, by_address: RESETS_PER_ADDRESS}
    spent = PASSWORD_RESETS.over(limits)
    if by_client in spent:
        raise TooManyResetRequests
    beyond = PASSWORD_RESETS.record({k: n for k, n in limits.items() if k not in spent})
    if by_client in beyond:
        raise TooManyResetRequests
    return by_address not in spent + beyond
