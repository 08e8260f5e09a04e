"""The client's address, found as django-axes finds it for the logins (throttles, limits)."""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str:
    """The visitor's address, found as django-axes finds it for the logins (same settings:
    ``PROXY_COUNT`` and the ``AXES_IPWARE_*`` defaults); ``REMOTE_ADDR`` otherwise."""
    ip, _routable = get_client_ip(
        request,
        proxy_order=getattr(settings, "AXES_IPWARE_PROXY_ORDER", "left-most"),
        proxy_count=getattr(settings, "AXES_IPWARE_PROXY_COUNT", None),
        proxy_trusted_ips=getattr(settings, "AXES_IPWARE_PROXY_TRUSTED_IPS", None),
        request_header_order=getattr(
            settings, "AXES_IPWARE_META_PRECEDENCE_ORDER", ("REMOTE_ADDR",)
        ),
    )
    return ip or request.META.get("REMOTE_ADDR") or "inconnue"
