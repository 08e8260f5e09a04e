"""« À faire »: each count equals what it counts, is shown only to who may see it, and takes
one query whatever the data."""

import datetime
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.models import Checkbook
from passnum.providers.models import AccreditationStatus
from passnum.referrals.selectors import dormant_count
from passnum.reporting.todo import Todo, todo_for
from passnum.statements.models import Statement, StatementStatus
from tests.factories import (
    AccreditationFactory,
    BeneficiaryFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
    UserFactory,
)
from tests.reporting.test_indicators import build

Kind = OrganisationKind


def dormant_directly(programme, today) -> int:
    """Checkbooks with a pass usable today and either nothing used 30 days after they were
    given, or something used and fewer than 30 days left."""
    count = 0
    for checkbook in Checkbook.objects.filter(programme=programme).prefetch_related("passes"):
        passes = list(checkbook.passes.all())
        usable = [p for p in passes if p.status == PassStatus.ASSIGNED and today <= p.expires_on]
        used = [p for p in passes if p.status in CONSUMED]
        unused_for_30_days = not used and (today - checkbook.issued_on).days >= 30
        ending_within_30_days = bool(used) and (checkbook.expires_on - today).days < 30
        count += bool(usable and (unused_for_30_days or ending_within_30_days))
    return count


@pytest.mark.parametrize(
    "today", [date(2026, 3, 1), date(2026, 7, 15), date(2026, 11, 20), date(2027, 6, 1)]
)
def test_dormant_checkbooks_equal_a_direct_count(db, today):
    programme = ProgrammeFactory()
    build(programme, seed=21, people=30)
    other = ProgrammeFactory()
    build(other, seed=22, people=5)
    want = dormant_directly(programme, today)
    assert dormant_count(programme, today) == want
    if today == date(2026, 11, 20):
        assert want > 0  # the data set has some


@pytest.fixture
def waiting(programme):
    """Two pending referrals of the same identity from two organisations, another pending,
    one withdrawn; a draft and a validated statement; a submitted accreditation and a draft
    one; a failed email and a sent one; and the same things in another programme."""

    def fill(programme):
        twin = {"first_name": "Nadia", "last_name": "Démo", "birth_date": date(1990, 1, 2)}
        ReferralFactory(beneficiary=BeneficiaryFactory(programme=programme, **twin))
        ReferralFactory(beneficiary=BeneficiaryFactory(programme=programme, **twin))
        ReferralFactory(beneficiary__programme=programme)
        ReferralFactory(beneficiary__programme=programme, status="withdrawn")
        provider = OrganisationFactory(programme=programme, kind=Kind.PROVIDER)
        Statement.objects.create(
            programme=programme, organisation=provider, period=date(2026, 3, 1)
        )
        Statement.objects.create(
            programme=programme,
            organisation=provider,
            period=date(2026, 2, 1),
            status=StatementStatus.VALIDATED,
            validated_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
            validated_by=UserFactory(),
            payee_name="Lieu",
            payee_iban="FR7630006000011234567890189",
        )
        AccreditationFactory(organisation=provider, status=AccreditationStatus.SUBMITTED)
        AccreditationFactory(
            organisation=OrganisationFactory(programme=programme, kind=Kind.PROVIDER),
            status=AccreditationStatus.DRAFT,
        )
        for status in (EmailStatus.FAILED, EmailStatus.SENT):
            Email.objects.create(
                programme=programme,
                kind=EmailKind.REMINDER_BENEFICIARY,
                recipient="personne@exemple.fr",
                subject="Objet",
                body="Texte",
                status=status,
                sent_at=timezone.now() if status == EmailStatus.SENT else None,
            )

    fill(programme)
    fill(ProgrammeFactory())


def test_the_department_counts_its_queue_duplicates_and_people_to_remind(make_actor, waiting):
    todo = todo_for(make_actor(Kind.DEPARTMENT), today=date(2026, 11, 20))
    assert todo == Todo(pending_referrals=3, duplicates=2, dormant_checkbooks=0)
    assert todo.shown


def test_the_operator_counts_statements_accreditations_emails_and_dormant(make_actor, waiting):
    todo = todo_for(make_actor(Kind.OPERATOR), today=date(2026, 11, 20))
    assert todo == Todo(
        dormant_checkbooks=0, draft_statements=1, accreditations=1, failed_emails=1
    )


@pytest.mark.parametrize("kind", [Kind.FUNDER, Kind.REFERRER, Kind.PROVIDER])
def test_the_others_have_nothing_to_do_here(make_actor, waiting, kind):
    todo = todo_for(make_actor(kind), today=date(2026, 11, 20))
    assert todo == Todo()
    assert not todo.shown


@pytest.mark.parametrize("kind", [Kind.DEPARTMENT, Kind.OPERATOR])
def test_one_query_per_count_whatever_the_data(db, kind):
    counts = []
    for people in (2, 12):
        programme = ProgrammeFactory()
        build(programme, seed=people, people=people)
        actor_org = OrganisationFactory(programme=programme, kind=kind)
        from passnum.organisations.actor import Actor
        from tests.factories import MembershipFactory

        actor = Actor(MembershipFactory(organisation=actor_org))
        with CaptureQueriesContext(connection) as queries:
            todo_for(actor, today=date(2026, 11, 20))
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_a_checkbook_becomes_dormant_after_30_days_unused(db, make_actor, programme):
    from passnum.passes.services import generate_passes
    from passnum.referrals.services import prescribe

    department = make_actor(Kind.DEPARTMENT)
    generate_passes(programme, 5)
    given = date(2026, 3, 1)
    prescribe(department, ReferralFactory(beneficiary__programme=programme), today=given)
    assert dormant_count(programme, given + timedelta(days=29)) == 0
    assert dormant_count(programme, given + timedelta(days=30)) == 1
