"""French labels of the vocabularies' codes, for the templates."""

from django import template

from passnum.referential.enums import Public, Service
from passnum.referrals.enums import ReferralStatus

register = template.Library()


def _label(enum, code) -> str:
    try:
        return enum(code).label
    except ValueError:
        return str(code)


@register.filter
def public_label(code) -> str:
    return _label(Public, code)


@register.filter
def service_label(code) -> str:
    return _label(Service, code)


@register.filter
def referral_status_label(code) -> str:
    return _label(ReferralStatus, code)
