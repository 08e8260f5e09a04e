"""« À faire »: what waits for the Département or the operator, counted for their dashboard.

Each count is there only for an actor who has the capability to see it (``None`` otherwise);
the funder has none of them. A fixed number of queries: one per count shown.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from passnum.notifications.models import EmailStatus
from passnum.notifications.selectors import counts_by_status
from passnum.organisations.permissions import Capability, can
from passnum.providers.models import AccreditationStatus
from passnum.providers.selectors import providers_of
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.selectors import dormant_count, referral_counts, referrals_visible_to
from passnum.statements.models import StatementStatus
from passnum.statements.selectors import statements_visible_to


@dataclass(frozen=True)
class Todo:
    pending_referrals: int | None = None  # the Département's queue
    duplicates: int | None = None  # … of which a possible duplicate across organisations
    dormant_checkbooks: int | None = None  # people to remind
    draft_statements: int | None = None  # statements to check and validate
    accreditations: int | None = None  # accreditation requests to decide
    failed_emails: int | None = None  # emails that could not be sent

    @property
    def shown(self) -> bool:
        return any(value is not None for value in vars(self).values())


def todo_for(actor, *, today: datetime.date | None = None) -> Todo:
    today = today or timezone.localdate()
    counts = {}
    if can(actor, Capability.PRESCRIBE):
        counts["pending_referrals"] = referral_counts(actor).pending
    if can(actor, Capability.PRESCRIBE) and can(actor, Capability.VIEW_ALL_REFERRALS):
        counts["duplicates"] = (
            referrals_visible_to(actor, status=ReferralStatus.PENDING)
            .filter(possible_duplicate=True)
            .count()
        )
    # Counted over the whole programme: for those who see its indicators and remind people
    # (the Département) or steer it (the operator watches them; referrers and the Département
    # remind).
    if can(actor, Capability.VIEW_STATS) and (
        can(actor, Capability.FOLLOW_UP) or can(actor, Capability.MANAGE_PROGRAMME)
    ):
        counts["dormant_checkbooks"] = dormant_count(actor.programme, today)
    if can(actor, Capability.MANAGE_STATEMENTS):
        counts["draft_statements"] = statements_visible_to(
            actor, status=StatementStatus.DRAFT
        ).count()
    if can(actor, Capability.ACCREDIT_PROVIDERS):
        counts["accreditations"] = providers_of(
            actor.programme, status=AccreditationStatus.SUBMITTED
        ).count()
    if can(actor, Capability.MONITOR_EMAILS):
        counts["failed_emails"] = counts_by_status(actor)[EmailStatus.FAILED]
    return Todo(**counts)
