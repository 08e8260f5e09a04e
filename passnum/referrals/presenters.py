"""What each role sees of a referral, decided once: the site's pages and the API both show
exactly what ``present_referral`` returns, so that the two cannot diverge.

Who sees a referral at all is decided by the selectors (``referrals_visible_to``): a referrer
its own organisation's, the Département the programme's; the operator, providers and funders
none (they steer from aggregates). Within a referral:
- the person's identity, for the roles that see people (``VIEW_PEOPLE``);
- the person's contact details only to the organisation that recorded them, and to the
  Département — a referrer never reads what another organisation entered;
- the other records of the same person (possible duplicates), to the Département only.

Values are Python objects (dates, datetimes): the API serialises them, the templates format
them. A key is absent when it does not apply (no checkbook before the prescription), never
``None``.
"""

from passnum.organisations.permissions import Capability, can

from .enums import ReferralStatus
from .selectors import other_records


def _person_name(user) -> str:
    return user.get_full_name() or user.username


def referral_item(actor, referral) -> dict:
    """A referral in a list: no name, no free text."""
    item = {
        "id": referral.pk,
        "status": referral.status,
        "tier": referral.tier,
        "publics": list(referral.publics),
        "needs": list(referral.needs),
        "created_at": referral.created_at,
        "beneficiary_id": referral.beneficiary_id,
        "organisation": {"id": referral.organisation_id, "name": referral.organisation.name},
        "passes": {
            "total": referral.passes_count,
            "used": referral.passes_used,
            "left": referral.passes_left,
        },
    }
    if can(actor, Capability.VIEW_ALL_REFERRALS):
        item["possible_duplicate"] = bool(getattr(referral, "possible_duplicate", False))
    return item


def _beneficiary(actor, referral) -> dict:
    person = referral.beneficiary
    shown = {
        "id": person.pk,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "commune_insee": person.commune.insee_code,
        "commune_name": person.commune.name,
        "notice_given_on": person.notice_given_on,
    }
    if (
        can(actor, Capability.VIEW_ALL_REFERRALS)
        or person.created_by_organisation_id == actor.organisation.pk
    ):
        shown["email"] = person.email
        shown["phone"] = person.phone
    return shown


def _other_records(actor, referral, today) -> list[dict]:
    shown = []
    for record in other_records(actor, referral, today=today):
        other = {
            "beneficiary_id": record.beneficiary_id,
            "referrals": [
                {
                    "id": r.pk,
                    "status": r.status,
                    "created_at": r.created_at,
                    "organisation": {"id": r.organisation_id, "name": r.organisation.name},
                }
                for r in record.referrals
            ],
        }
        if record.organisation is not None:
            other["organisation"] = {
                "id": record.organisation.pk,
                "name": record.organisation.name,
            }
        if record.checkbook is not None:
            other["checkbook"] = {
                "number": record.checkbook.number,
                "expires_on": record.checkbook.expires_on,
                "passes_left": record.passes_left,
            }
        shown.append(other)
    return shown


def present_referral(actor, referral, *, today) -> dict:
    """One referral as ``actor`` may see it (the referral comes from ``referral_for``)."""
    shown = referral_item(actor, referral)
    shown["created_by"] = _person_name(referral.created_by)
    shown["comment"] = referral.comment
    if referral.status != ReferralStatus.PENDING:
        shown["decided_at"] = referral.decided_at
        shown["decided_by"] = _person_name(referral.decided_by)
        shown["decision_reason"] = referral.decision_reason
    if referral.status == ReferralStatus.PRESCRIBED:
        checkbook = referral.prescription.checkbook
        shown["checkbook"] = {
            "id": checkbook.pk,
            "number": checkbook.number,
            "expires_on": checkbook.expires_on,
        }
    if can(actor, Capability.VIEW_PEOPLE):
        shown["beneficiary"] = _beneficiary(actor, referral)
    if can(actor, Capability.VIEW_ALL_REFERRALS):
        shown["other_records"] = _other_records(actor, referral, today)
    return shown
