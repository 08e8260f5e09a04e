"""« À faire »: what waits for the Département or the operator, counted for their dashboard.

Each count is there only for an actor who has the capability to see it (``None`` otherwise);
the funder has none of them. A fixed number of queries: one per count shown.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from passnum.notifications.models import EmailStatus
from passnum.notifications.selectors import counts_by_status
from passnum.organisations.permissions import Capability, can
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.models import Checkbook
from passnum.providers.models import AccreditationStatus
from passnum.providers.selectors import providers_of
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.selectors import referral_counts, referrals_visible_to
from passnum.statements.models import StatementStatus
from passnum.statements.selectors import statements_visible_to

# A checkbook none of whose passes was used this many days after it was given is dormant; one
# partly used is dormant when fewer than this many days are left before its end (the list
# « Pass non utilisés » of the follow-up uses the same rule).
DORMANT_AFTER_DAYS = 30
ENDING_WITHIN_DAYS = 30


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


def dormant_checkbooks(programme, today: datetime.date):
    """Checkbooks with passes still usable for a session (assigned, not past their end) and
    either none used ``DORMANT_AFTER_DAYS`` days after they were given, or some used and fewer
    than ``ENDING_WITHIN_DAYS`` days left."""
    return (
        Checkbook.objects.filter(programme=programme)
        .annotate(
            usable=Count(
                "passes",
                filter=Q(passes__status=PassStatus.ASSIGNED, passes__expires_on__gte=today),
            ),
            used=Count("passes", filter=Q(passes__status__in=CONSUMED)),
        )
        .filter(usable__gt=0)
        .filter(
            Q(used=0, issued_on__lte=today - datetime.timedelta(days=DORMANT_AFTER_DAYS))
            | Q(used__gt=0, expires_on__lt=today + datetime.timedelta(days=ENDING_WITHIN_DAYS))
        )
    )


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
        counts["dormant_checkbooks"] = dormant_checkbooks(actor.programme, today).count()
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
