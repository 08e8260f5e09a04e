"""The effect of reminders on dormant checkbooks, for the dashboard.

Definitions (docs/roles.md, « Effet des relances »), replayed from the dates kept in the
database rather than from today's statuses:

- a pass is **used** on the date of the session of its live redemption (an undone one does not
  count); a checkbook's **size** is its passes not cancelled (a replaced pass counts once,
  through its replacement); on day *d* a checkbook **holds usable passes** when *d* is not
  after its end and fewer than its size were used before *d*;
- a checkbook is **dormant** on day *d* when it is in the « Pass non utilisés » list on that
  day (``referrals.selectors.follow_up_for``), counting the passes used before *d*: it holds
  usable passes and either none was used and it was given at least 30 days before
  (``unused_30_days``), or one was used and its end is less than 30 days after *d*
  (``expiring_soon``);
- it **becomes dormant** on a day *D* when it is dormant on *D* and was not the day before:
  *D₁* = given + 30 days, *D₂* = end − 29 days (its first day with fewer than 30 days left),
  or, for a validity shorter than 59 days, the day after its first use; at most twice per
  checkbook (unused, then ending);
- each time it becomes dormant is watched for 30 days. It is **reminded** if its person got a
  reminder (manual or automatic, email or letter) on a day *R* from *D* − 1 (the automatic
  reminder goes 30 days before the end: the day before *D₂*) until the day before its first
  use on or after *D*, at most *D* + 29; the first such reminder counts;
- **resumed**: reminded, a pass used within the 30 days after *R* (*R* + 1 to *R* + 30); not
  reminded, a pass used within its first 30 days (*D* to *D* + 29).

A time it became dormant counts in the period if *D* lies in the period, and once its 30 days
of watching are over before ``today`` (*R* + 30, or *D* + 29, before ``today``): a share of
windows still open would understate the resumption. This compares two groups, it does not
prove a cause: people reminded may differ from the others.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from passnum.passes.enums import PassStatus, ReminderRecipient
from passnum.passes.models import Checkbook, Reminder
from passnum.redemptions.models import Redemption
from passnum.referrals.selectors import DORMANT_AFTER_DAYS, ENDING_WITHIN_DAYS

from .periods import Period
from .selectors import RATE_DIGITS, reporting_database

WATCH_DAYS = 30

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ReminderEffect:
    reminded: int  # times a checkbook became dormant and its person was reminded
    resumed_after_reminder: int  # … and a pass was used within 30 days of the reminder
    not_reminded: int  # times a checkbook became dormant without a reminder
    resumed_without_reminder: int  # … and a pass was used within 30 days

    @property
    def reminded_share(self) -> float | None:
        """Share of reminded dormant checkbooks whose usage resumed, 0..1 (None: none)."""
        return _share(self.resumed_after_reminder, self.reminded)

    @property
    def not_reminded_share(self) -> float | None:
        """Share of dormant checkbooks not reminded whose usage resumed, 0..1 (None: none)."""
        return _share(self.resumed_without_reminder, self.not_reminded)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, RATE_DIGITS) if whole else None


@dataclass(frozen=True)
class _Checkbook:
    issued_on: datetime.date
    expires_on: datetime.date
    size: int


def dormancy_starts(checkbook: _Checkbook, uses: list[datetime.date]) -> list[datetime.date]:
    """The days the checkbook became dormant (at most two), from its sorted use dates."""

    def used_before(day):
        return sum(1 for used in uses if used < day)

    def dormant(day):
        if day > checkbook.expires_on or used_before(day) >= checkbook.size:
            return False
        if used_before(day) == 0:
            return day >= checkbook.issued_on + DORMANT_AFTER_DAYS * DAY
        return (checkbook.expires_on - day).days < ENDING_WITHIN_DAYS

    # Being dormant only changes on these days (and after the end).
    candidates = (
        checkbook.issued_on + DORMANT_AFTER_DAYS * DAY,
        checkbook.expires_on - (ENDING_WITHIN_DAYS - 1) * DAY,
        *(used + DAY for used in uses),
    )
    return sorted({d for d in candidates if dormant(d) and not dormant(d - DAY)})


def _outcome(start, uses, reminders) -> tuple[bool, datetime.date, bool]:
    """(reminded, day the 30-day watch ends, resumed) for a checkbook that became dormant on
    ``start``."""
    first_use = next((used for used in uses if used >= start), None)
    until = min(first_use or start + WATCH_DAYS * DAY, start + WATCH_DAYS * DAY)
    reminder = next((r for r in reminders if start - DAY <= r < until), None)
    if reminder is not None:
        resumed = any(reminder < used <= reminder + WATCH_DAYS * DAY for used in uses)
        return True, reminder + WATCH_DAYS * DAY, resumed
    resumed = first_use is not None and first_use < start + WATCH_DAYS * DAY
    return False, start + (WATCH_DAYS - 1) * DAY, resumed


def reminder_effect(
    programme, period: Period, *, using=None, today: datetime.date | None = None
) -> ReminderEffect:
    """How often usage resumed within 30 days for checkbooks that became dormant in
    ``period``, with a reminder and without (definitions above). Three queries, whatever the
    number of checkbooks; read from ``using`` (the reporting database by default)."""
    using = using or reporting_database()
    today = today or timezone.localdate()
    checkbooks = Checkbook.objects.using(using).filter(programme=programme)
    # A checkbook can only become dormant between its 30th day and its end.
    if period.start is not None:
        checkbooks = checkbooks.filter(expires_on__gte=period.start)
    if period.end is not None:
        checkbooks = checkbooks.filter(issued_on__lte=period.end)
    found = {
        row["pk"]: _Checkbook(row["issued_on"], row["expires_on"], row["size"])
        for row in checkbooks.order_by()
        .values("pk", "issued_on", "expires_on")
        .annotate(size=Count("passes", filter=~Q(passes__status=PassStatus.CANCELLED)))
    }
    uses = defaultdict(list)
    for checkbook_id, day in (
        Redemption.objects.using(using)
        .filter(pass_obj__checkbook__in=checkbooks, undone_at__isnull=True)
        .order_by("session__date")
        .values_list("pass_obj__checkbook_id", "session__date")
    ):
        uses[checkbook_id].append(day)
    reminders = defaultdict(list)
    for checkbook_id, day in (
        Reminder.objects.using(using)
        .filter(checkbook__in=checkbooks, recipient=ReminderRecipient.BENEFICIARY)
        .order_by("due_on")
        .values_list("checkbook_id", "due_on")
    ):
        reminders[checkbook_id].append(day)

    counts = defaultdict(int)
    for pk, checkbook in found.items():
        for start in dormancy_starts(checkbook, uses[pk]):
            if not period.contains(start):
                continue
            reminded, watched_until, resumed = _outcome(start, uses[pk], reminders[pk])
            if watched_until >= today:
                continue
            counts[reminded, resumed] += 1
    return ReminderEffect(
        reminded=counts[True, True] + counts[True, False],
        resumed_after_reminder=counts[True, True],
        not_reminded=counts[False, True] + counts[False, False],
        resumed_without_reminder=counts[False, True],
    )
