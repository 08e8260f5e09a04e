"""The demo's past year (passnum/demo/past_year.py): loaded through the real services, the same
every time, the ledger and the journal coherent, figures of a programme in motion."""

import datetime
import time
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from passnum.beneficiaries.models import Beneficiary
from passnum.demo import past_year
from passnum.demo.lozere import DEMO_REFERRALS
from passnum.journal.models import JournalEntry, SubjectType
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.expiry import expire_passes
from passnum.passes.models import Checkbook, Pass
from passnum.passes.selectors import budget_for
from passnum.programmes.models import Programme
from passnum.providers.selectors import distance_km
from passnum.redemptions.models import Redemption, Session
from passnum.referential.enums import PIC_PUBLICS
from passnum.referrals.models import Referral
from passnum.statements.models import Statement, StatementStatus
from passnum.statements.selectors import reconcile

SMALL = "0.1"
DEMO_NAMES = {(first, last) for first, last, *_ in DEMO_REFERRALS}


def load(settings, scale) -> float:
    """Load the demo; the processor time it took (the wall-clock time depends on what else the
    machine runs)."""
    settings.DEBUG = True
    started = time.process_time()
    call_command("demo", "--no-serve", "--scale", str(scale))
    return time.process_time() - started


def demo_referrals():
    """The referrals of the demo's named people (the six waiting today), as they are."""
    return sorted(
        Referral.objects.filter(beneficiary__last_name__in=[last for _, last in DEMO_NAMES])
        .values_list(
            "beneficiary__first_name",
            "beneficiary__last_name",
            "beneficiary__birth_date",
            "beneficiary__commune__insee_code",
            "organisation__name",
            "status",
            "tier",
            "publics",
            "needs",
            "comment",
        )
        .order_by()
    )


def past_snapshot():
    """What the past year holds, without what depends on the day of loading (the six
    referrals waiting today) nor on chance outside the seed (the secret codes)."""
    past = Referral.objects.exclude(beneficiary__last_name__in=[last for _, last in DEMO_NAMES])
    return {
        "people": sorted(
            Beneficiary.objects.filter(referrals__in=past).values_list(
                "first_name", "last_name", "birth_date", "commune__insee_code", "created_at"
            )
        ),
        "referrals": sorted(
            past.values_list(
                "beneficiary__last_name",
                "beneficiary__first_name",
                "organisation__name",
                "created_at",
                "status",
                "decided_at",
                "decision_reason",
                "publics",
                "needs",
            )
        ),
        "checkbooks": list(
            Checkbook.objects.order_by("number").values_list(
                "number", "beneficiary__last_name", "issued_on", "expires_on", "created_at"
            )
        ),
        "passes": list(
            Pass.objects.order_by("serial").values_list(
                "serial", "status", "checkbook__number", "expires_on", "replaces__serial"
            )
        ),
        "sessions": sorted(
            Session.objects.values_list(
                "organisation__name",
                "place__name",
                "date",
                "duration_minutes",
                "services",
                "path__name",
                "place_type",
                "kind",
                "created_at",
                "undone_at",
            )
        ),
        "statements": sorted(
            Statement.objects.values_list(
                "organisation__name",
                "period",
                "status",
                "created_at",
                "validated_at",
                "paid_on",
                "payment_reference",
            )
        ),
        "journal": sorted(
            Counter(
                JournalEntry.objects.filter(at__date__lte=past_year.LAST_DAY).values_list(
                    "at", "subject_type", "action", "before", "after"
                )
            ).items()
        ),
    }


def assert_ledger_holds(programme):
    """The invariants of the ledger, the statements and the journal after the past year."""
    passes = list(Pass.objects.filter(programme=programme).select_related("checkbook"))
    # Every pass in one known status, in a checkbook unless in stock.
    assert {p.status for p in passes} <= set(PassStatus.values)
    for p in passes:
        assert (p.status == PassStatus.AVAILABLE) == (p.checkbook_id is None), p.serial

    # The budget is the sum of the passes: the stock, the passes given out and those expired
    # (whose place went back to the budget) fill the pass budget exactly; a replacement takes
    # the place of the pass it replaces.
    budget = budget_for(programme)

    def value(*statuses):
        return sum(p.value_cents for p in passes if p.status in statuses)

    assert budget.committed_cents == value(PassStatus.ASSIGNED)
    assert budget.consumed_cents == value(*CONSUMED)
    in_place = value(PassStatus.AVAILABLE, PassStatus.ASSIGNED, *CONSUMED)
    assert budget.ledger_cents == in_place
    assert in_place + value(PassStatus.EXPIRED) == budget.pass_budget_cents
    replacements = sum(p.value_cents for p in passes if p.replaces_id)
    assert replacements == value(PassStatus.CANCELLED)
    assert budget.available_cents == value(PassStatus.AVAILABLE, PassStatus.EXPIRED)

    # Each statement is the sum of its passes; paid ones hold reimbursed passes only.
    for statement in Statement.objects.filter(programme=programme):
        live = Pass.objects.filter(
            redemptions__statement=statement, redemptions__undone_at__isnull=True
        )
        total = live.aggregate(total=Sum("value_cents"))["total"]
        assert total, statement
        closing = (
            JournalEntry.objects.about(statement)
            .filter(action__in=["validated", "paid"])
            .order_by("at", "pk")
        )
        for entry in closing:
            assert entry.data["amount_cents"] == total, statement
        expected = {
            StatementStatus.PAID: {PassStatus.REIMBURSED},
            StatementStatus.VALIDATED: {PassStatus.REDEEMED},
            StatementStatus.DRAFT: {PassStatus.REDEEMED},
        }[statement.status]
        assert set(live.values_list("status", flat=True)) == expected
    assert reconcile(programme).discrepancies == []

    # The journal has an entry per change of status, in order, ending at the current status.
    chains = defaultdict(list)
    entries = JournalEntry.objects.filter(
        programme=programme, subject_type=SubjectType.PASS
    ).order_by("at", "pk")
    for entry in entries.values_list("subject_id", "before", "after"):
        chains[entry[0]].append(entry[1:])
    for p in passes:
        chain = chains[p.pk]
        born = PassStatus.ASSIGNED if p.replaces_id else PassStatus.AVAILABLE
        assert chain[0] == ("", born), p.serial
        for (_, after), (before, _) in pairwise(chain):
            assert before == after, (p.serial, chain)
        assert chain[-1][1] == p.status, (p.serial, chain)

    # No redemption before the checkbook nor after its end (declared at the latest at the end
    # of the grace); at a place offering the session's services.
    grace = datetime.timedelta(days=programme.redemption_grace_days)
    redemptions = Redemption.objects.filter(
        programme=programme, undone_at__isnull=True
    ).select_related("pass_obj__checkbook", "session__place")
    for r in redemptions:
        checkbook = r.pass_obj.checkbook
        assert checkbook.issued_on <= r.session.date <= r.pass_obj.expires_on
        assert r.session.date <= r.redeemed_at.date() <= r.pass_obj.expires_on + grace
        assert set(r.session.services) <= set(r.session.place.services)

    # Nobody holds two running checkbooks (nor more than the programme allows).
    per_person = Counter(
        Checkbook.objects.filter(programme=programme).values_list("beneficiary", flat=True)
    )
    assert max(per_person.values(), default=0) <= programme.max_checkbooks_per_person
    running = Counter(
        Checkbook.objects.with_unused_passes(past_year.LAST_DAY).values_list(
            "beneficiary", flat=True
        )
    )
    assert max(running.values(), default=0) <= 1


@pytest.fixture
def small_year(transactional_db, settings):
    load(settings, SMALL)
    return Programme.objects.get()


def test_the_scale_is_read_and_bad_values_refused(transactional_db, settings):
    settings.DEBUG = True
    for wrong in ("beaucoup", "-1", "9"):
        with pytest.raises(CommandError, match="--scale attend un nombre entre 0 et"):
            call_command("demo", "--no-serve", "--scale", wrong)
    assert not Programme.objects.exists()
    call_command("demo", "--no-serve", "--scale", "0")
    assert not Pass.objects.exclude(status=PassStatus.AVAILABLE).exists()
    assert Referral.objects.count() == 6


def test_the_past_year_leaves_the_ledger_coherent(small_year):
    assert_ledger_holds(small_year)
    # Nothing more to expire on the story's last day: « passnum daily » ran every night.
    assert expire_passes(past_year.LAST_DAY).expired == 0


def test_the_past_year_is_the_same_every_time(small_year, settings):
    first = past_snapshot()
    assert first["sessions"]
    assert first["statements"]
    load(settings, SMALL)
    assert past_snapshot() == first


def test_the_waiting_referrals_of_the_demo_are_unchanged(transactional_db, settings):
    load(settings, 0)
    alone = demo_referrals()
    assert len(alone) == 6
    load(settings, SMALL)
    assert demo_referrals() == alone


def test_events_happen_at_their_date(small_year):
    """Each service ran with the clock at the event's time: referrals from January, every
    pass generated before the programme opened, no record after the story's last day."""
    past = Referral.objects.exclude(beneficiary__last_name__in=[last for _, last in DEMO_NAMES])
    first = past.order_by("created_at").first().created_at.date()
    assert past_year.FIRST_DAY <= first < datetime.date(2026, 2, 1)
    assert past.order_by("created_at").last().created_at.date() <= past_year.LAST_REFERRAL_DAY
    generated = JournalEntry.objects.filter(subject_type=SubjectType.PASS, action="generated")
    assert generated.order_by("-at").first().at.date() < small_year.starts_on
    for session in Session.objects.all():
        assert session.date <= session.created_at.date() <= past_year.LAST_DAY
    for checkbook in Checkbook.objects.select_related("prescription__referral"):
        assert checkbook.created_at.date() == checkbook.issued_on
        assert checkbook.prescription.referral.created_at < checkbook.prescription.prescribed_at


def test_the_default_year_in_figures(transactional_db, settings):
    """The year ``passnum demo`` loads: loaded fast enough, coherent, and a programme in motion
    in every figure the steering reads."""
    seconds = load(settings, 1)
    programme = Programme.objects.get()
    assert seconds < 60  # about 30 s
    assert_ledger_holds(programme)

    referrals = Referral.objects.filter(programme=programme)
    people = Beneficiary.objects.filter(programme=programme).count()
    assert 300 <= people <= 450
    statuses = Counter(referrals.values_list("status", flat=True))
    assert statuses["rejected"] >= 5
    assert statuses["withdrawn"] >= 3
    assert 6 + 1 <= statuses["pending"] <= 6 + 20  # the six of today, and late November's
    assert not referrals.filter(status="rejected", decision_reason="").exists()

    # A monthly ramp-up from January, a summer lull, every referrer organisation at work.
    by_month = Counter(
        referrals.filter(created_at__date__lte=past_year.LAST_DAY).values_list(
            "created_at__month", flat=True
        )
    )
    assert set(by_month) == set(range(1, 12))
    assert by_month[1] < by_month[3] < by_month[5]
    assert by_month[8] < by_month[7]
    assert by_month[8] < by_month[9]
    by_referrer = Counter(referrals.values_list("organisation__name", flat=True))
    assert set(by_referrer) == set(past_year.REFERRER_SHARES)
    assert min(by_referrer.values()) >= 20

    # Publics: the PIC share, seniors, young people, rSa.
    publics = list(referrals.values_list("publics", flat=True))
    pic = sum(1 for p in publics if PIC_PUBLICS & set(p)) / len(publics)
    assert 0.40 <= pic <= 0.55
    for public in ("rsa", "senior", "jeune", "primo_arrivant"):
        assert sum(public in p for p in publics) >= 10, public

    # Checkbooks: dormancy, some fully used, some expired, a few lost and replaced.
    checkbooks = Checkbook.objects.filter(programme=programme)
    assert 250 <= checkbooks.count() <= 350
    used = Counter(Pass.objects.filter(status__in=CONSUMED).values_list("checkbook", flat=True))
    size = programme.passes_per_checkbook
    dormant = sum(1 for c in checkbooks.values_list("pk", flat=True) if used[c] < size)
    assert 0.35 <= dormant / checkbooks.count() <= 0.55
    assert sum(1 for n in used.values() if n == size) >= 100
    ledger = Counter(Pass.objects.values_list("status", flat=True))
    assert 600 <= ledger["redeemed"] + ledger["reimbursed"] <= 1000
    assert ledger["available"] > 3600 / 2
    assert ledger["expired"] >= 30
    assert 1 <= ledger["cancelled"] <= 40
    assert Pass.objects.filter(replaces__isnull=False).count() == ledger["cancelled"]
    expired_ends = Pass.objects.filter(status="expired").values_list("expires_on", flat=True)
    assert max(expired_ends) < past_year.LAST_DAY - datetime.timedelta(days=30)

    # The referrers remind dormant people (letters: the demo's people have no email), and some
    # come back: the dashboard's « Effet des relances » compares two groups that exist.
    from passnum.passes.models import Reminder
    from passnum.reporting.periods import Period
    from passnum.reporting.reminders import reminder_effect

    letters = Reminder.objects.filter(checkbook__programme=programme, channel="letter")
    assert letters.count() >= 30
    effect = reminder_effect(programme, Period(), today=past_year.LAST_DAY)
    assert effect.reminded >= 20
    assert effect.not_reminded >= 10
    assert effect.resumed_after_reminder >= 5

    # The operator spent part of the engineering share.
    from passnum.programmes.models import EngineeringExpense

    spent = sum(EngineeringExpense.objects.values_list("amount_cents", flat=True))
    assert 0 < spent <= programme.engineering_cents

    # Sessions of 1 to 3 hours (and a half), near the person, at many places, a few undone.
    sessions = Session.objects.filter(undone_at__isnull=True).select_related("place__commune")
    assert {s.duration_minutes // 60 for s in sessions} == {1, 2, 3}
    assert len({s.organisation_id for s in sessions}) >= 25
    assert 1 <= Session.objects.filter(undone_at__isnull=False).count() <= 20
    people_of = dict(
        Redemption.objects.filter(undone_at__isnull=True).values_list(
            "session", "pass_obj__checkbook__beneficiary"
        )
    )
    persons = {
        b.pk: b
        for b in Beneficiary.objects.select_related("commune").prefetch_related("referrals")
    }
    for session in sessions:
        person = persons[people_of[session.pk]]
        here, there = person.commune, session.place
        assert distance_km(here.latitude, here.longitude, there.latitude, there.longitude) < 60
        (referral,) = [r for r in person.referrals.all() if r.status == "prescribed"]
        needs = set(referral.needs)
        assert needs & set(session.services), (session, needs)

    # Statements: January to October paid, November drafted, December open.
    statements = Statement.objects.filter(programme=programme)
    periods = Counter(statements.values_list("period", "status"))
    for month in range(1, 11):
        assert periods[(datetime.date(2026, month, 1), StatementStatus.PAID)] >= 1, month
    assert periods[(datetime.date(2026, 11, 1), StatementStatus.DRAFT)] >= 10
    assert not statements.filter(period__gte=datetime.date(2026, 12, 1)).exists()
    assert not statements.filter(status=StatementStatus.VALIDATED).exists()
    assert ledger["reimbursed"] >= 500
