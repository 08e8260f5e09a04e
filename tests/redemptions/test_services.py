"""Redemption (encaissement): who may, which session, which passes — all or nothing — and the
undo of a session. Every refusal leaves the database as it was."""

from datetime import date, timedelta
from unittest import mock

import pytest

from passnum.common.exceptions import Conflict, Gone, InvalidInput, NotAllowed, NotFound
from passnum.common.models import ThrottleHit
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes
from passnum.passes.enums import PassStatus
from passnum.passes.lookup import CODE_FAILURES, TooManyLookups
from passnum.passes.models import Pass
from passnum.paths.models import Path
from passnum.providers.models import AccreditationStatus
from passnum.redemptions.exceptions import (
    AlreadyUndone,
    DateInFuture,
    InStatement,
    NotAccredited,
    RedemptionRefused,
    UndoTooLate,
)
from passnum.redemptions.models import PlaceType, Redemption, Session, SessionKind
from passnum.redemptions.services import redeem, undo_session
from passnum.statements.models import Statement
from tests.factories import ProgrammeFactory, ProviderPlaceFactory

from .factories import ENDS_ON, PRESCRIBED_ON, checkbook_codes, provider_actor, stock_code

SESSION_DAY = date(2026, 3, 10)
Kind = OrganisationKind


def state():
    """Everything a refused redemption must leave unchanged."""
    return {
        "passes": list(Pass.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "sessions": Session.objects.count(),
        "redemptions": list(Redemption.objects.order_by("pk").values_list("pk", "undone_at")),
        "journal": JournalEntry.objects.count(),
    }


@pytest.fixture
def provider(programme):
    return provider_actor(programme)


@pytest.fixture
def book(programme):
    """A prescribed checkbook: [(pass, code)] × 5."""
    return checkbook_codes(programme)


def go(actor, codes_, *, date=SESSION_DAY, duration_minutes=60, today=SESSION_DAY, **kw):
    kw.setdefault("services", ["outils_quotidien"])
    return redeem(
        actor, codes=codes_, date=date, duration_minutes=duration_minutes, today=today, **kw
    )


def refused(actor, codes_, **kw) -> RedemptionRefused:
    before = state()
    with pytest.raises(RedemptionRefused) as caught:
        go(actor, codes_, **kw)
    assert state() == before
    return caught.value


def another_code() -> str:
    """A well-formed code (its check symbol is right) that no pass has."""
    return codes.display(codes.generate())


# success ------------------------------------------------------------------------------------


def test_redeem_records_the_session_and_its_passes(provider, programme):
    book = checkbook_codes(programme)
    other = checkbook_codes(programme)
    place = ProviderPlaceFactory(organisation=provider.organisation)
    chosen = [book[0], book[1], other[0]]

    session = go(
        provider,
        [code for _, code in chosen],
        duration_minutes=120,
        services=["securite", "outils_quotidien"],
        place=place,
        place_type=PlaceType.REMOTE,
        kind=SessionKind.COLLECTIVE,
    )

    session.refresh_from_db()
    assert (session.programme, session.organisation, session.place) == (
        programme,
        provider.organisation,
        place,
    )
    assert (session.date, session.duration_minutes) == (SESSION_DAY, 120)
    assert session.services == ["outils_quotidien", "securite"]  # the vocabulary's order
    assert (session.place_type, session.kind) == (PlaceType.REMOTE, SessionKind.COLLECTIVE)
    assert session.created_by == provider.user
    assert session.undone_at is None
    serials = [p.serial for p, _ in chosen]
    assert sorted(
        Redemption.objects.filter(session=session).values_list("pass_obj__serial", flat=True)
    ) == sorted(serials)
    statuses = dict(Pass.objects.filter(serial__in=serials).values_list("serial", "status"))
    assert set(statuses.values()) == {PassStatus.REDEEMED}
    assert Pass.objects.get(pk=book[2][0].pk).status == PassStatus.ASSIGNED
    entries = JournalEntry.objects.filter(action="redeemed")
    assert sorted(e.subject_id for e in entries) == sorted(p.pk for p, _ in chosen)
    assert {(e.before, e.after, e.data["session"]) for e in entries} == {
        (PassStatus.ASSIGNED, PassStatus.REDEEMED, session.pk)
    }
    assert {e.organisation_id for e in entries} == {provider.organisation.pk}
    created = JournalEntry.objects.about(session).get()
    assert created.action == "created"
    assert created.data["passes"] == serials
    assert created.data["amount_cents"] == 3_000


def test_input_is_tolerant(provider, book):
    """Lower case, spaces instead of dashes, and the look-alike O for 0 are accepted."""
    _, code = book[0]
    typed = code.lower().replace("-", " ").replace("0", "o")
    session = go(provider, [f"  {typed} "])
    assert [p.serial for p in session.redeemed_passes] == [book[0][0].serial]


def test_path_gives_its_services(provider, programme, book):
    path = Path.objects.create(
        programme=programme, name="Accès aux droits", services=["demarches_administratives"]
    )
    session = go(provider, [book[0][1]], services=[], path=path.pk)
    assert session.path == path
    assert session.services == ["demarches_administratives"]


def test_sixty_minutes_to_eight_hours(provider, book):
    session = go(provider, [code for _, code in book], duration_minutes=480)
    assert len(session.redeemed_passes) == 5


# who may redeem -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_other_roles_cannot_redeem(make_actor, book, kind):
    before = state()
    with pytest.raises(NotAllowed) as caught:
        go(make_actor(kind), [book[0][1]])
    assert caught.value.code == "forbidden"
    assert "structure de médiation" in caught.value.message
    assert state() == before


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (None, "pas encore habilitée"),
        (AccreditationStatus.DRAFT, "pas encore habilitée"),
        (AccreditationStatus.SUBMITTED, "pas encore habilitée"),
        (AccreditationStatus.REFUSED, "pas encore habilitée"),
        (AccreditationStatus.SUSPENDED, "suspendue"),
    ],
)
def test_only_an_accredited_provider_redeems(programme, book, status, words):
    before = state()
    with pytest.raises(NotAccredited) as caught:
        go(provider_actor(programme, status), [book[0][1]])
    assert isinstance(caught.value, NotAllowed)
    assert caught.value.code == "not_accredited"
    assert words in caught.value.message
    assert state() == before


# the session --------------------------------------------------------------------------------


def test_date_cannot_be_in_the_future(provider, book):
    before = state()
    with pytest.raises(DateInFuture) as caught:
        go(provider, [book[0][1]], date=SESSION_DAY + timedelta(days=1))
    assert caught.value.code == "date_in_future"
    assert caught.value.extra["field"] == "date"
    assert state() == before


@pytest.mark.parametrize("minutes", [0, 30, 59, 481, 600])
def test_duration_between_one_and_eight_hours(provider, book, minutes):
    with pytest.raises(InvalidInput) as caught:
        go(provider, [book[0][1]], duration_minutes=minutes)
    assert caught.value.code == "invalid_duration"
    assert Session.objects.count() == 0


def test_services_are_checked(provider, book):
    with pytest.raises(InvalidInput) as caught:
        go(provider, [book[0][1]], services=["cuisine"])
    assert caught.value.extra["field"] == "services"
    with pytest.raises(InvalidInput) as caught:
        go(provider, [book[0][1]], services=[])
    assert caught.value.code == "services_required"
    assert Session.objects.count() == 0


def test_path_of_another_programme_or_inactive(provider, programme, book):
    elsewhere = Path.objects.create(
        programme=ProgrammeFactory(), name="Ailleurs", services=["securite"]
    )
    with pytest.raises(NotFound):
        go(provider, [book[0][1]], path=elsewhere.pk)
    closed = Path.objects.create(
        programme=programme, name="Ancien", services=["securite"], is_active=False
    )
    with pytest.raises(InvalidInput) as caught:
        go(provider, [book[0][1]], path=closed)
    assert caught.value.code == "path_inactive"
    assert Session.objects.count() == 0


def test_place_must_be_the_providers_own(provider, book):
    someone_elses = ProviderPlaceFactory()
    with pytest.raises(NotFound) as caught:
        go(provider, [book[0][1]], place=someone_elses.pk)
    assert caught.value.extra["field"] == "place"
    assert Session.objects.count() == 0


def test_one_to_fifty_codes(provider, book):
    with pytest.raises(InvalidInput) as caught:
        go(provider, [])
    assert caught.value.code == "codes_required"
    with pytest.raises(InvalidInput) as caught:
        go(provider, [another_code() for _ in range(51)], duration_minutes=480)
    assert caught.value.code == "too_many_codes"
    assert ThrottleHit.objects.count() == 0


def test_the_same_code_twice(provider, book):
    code = book[0][1]
    error = refused(provider, [code, code.lower().replace("-", "")], duration_minutes=120)
    assert isinstance(error, InvalidInput)
    assert error.code == "duplicate_code"
    assert [p["reason"] for p in error.passes] == ["duplicate_code"]
    assert error.passes[0]["input"] == code.lower().replace("-", "")


def test_one_pass_per_hour_per_person(provider, programme, book):
    other = checkbook_codes(programme)
    typed = [book[0][1], book[1][1], book[2][1], other[0][1]]
    error = refused(provider, typed, duration_minutes=120)
    assert isinstance(error, InvalidInput)
    assert error.code == "too_many_passes"
    assert [p["input"] for p in error.passes] == typed[:3]
    serials = ", ".join(p.serial for p, _ in book[:3])
    assert all(serials in p["message"] for p in error.passes)
    # a session of 1 h 59 still counts one hour
    error = refused(provider, typed[:2], duration_minutes=119)
    assert error.code == "too_many_passes"
    # one pass each for two people in one hour is right
    session = go(provider, [book[0][1], other[0][1]], duration_minutes=90)
    assert len(session.redeemed_passes) == 2


# each reason --------------------------------------------------------------------------------


def test_unknown_code_and_other_programmes(provider, book):
    elsewhere = checkbook_codes(ProgrammeFactory())
    unknown = another_code()
    error = refused(provider, [unknown, elsewhere[0][1]])
    assert isinstance(error, NotFound)
    assert error.code == "unknown_code"
    assert [(p["input"], p["reason"]) for p in error.passes] == [
        (unknown, "unknown_code"),
        (elsewhere[0][1], "unknown_code"),
    ]


def test_already_redeemed_then_reimbursed(provider, programme, book):
    go(provider, [book[0][1]])
    second = provider_actor(programme)
    error = refused(second, [book[0][1]])
    assert isinstance(error, Conflict)
    assert error.code == "already_redeemed"
    assert book[0][0].serial in error.passes[0]["message"]
    Pass.objects.filter(pk=book[0][0].pk).update(status=PassStatus.REIMBURSED)
    assert refused(second, [book[0][1]]).code == "already_redeemed"


@pytest.mark.parametrize(
    ("status", "reason", "kind"),
    [
        (PassStatus.CANCELLED, "cancelled", Conflict),
        (PassStatus.EXPIRED, "expired", Gone),
    ],
)
def test_cancelled_and_expired_passes(provider, book, status, reason, kind):
    Pass.objects.filter(pk=book[0][0].pk).update(status=status)
    error = refused(provider, [book[0][1]])
    assert isinstance(error, kind)
    assert error.code == reason


def test_a_pass_still_in_stock(provider, programme):
    _, code = stock_code(programme)
    error = refused(provider, [code])
    assert isinstance(error, Conflict)
    assert error.code == "not_assigned"


def test_not_before_the_prescription(provider, book):
    error = refused(provider, [book[0][1]], date=PRESCRIBED_ON - timedelta(days=1))
    assert isinstance(error, InvalidInput)
    assert error.code == "before_prescription"
    assert "02/03/2026" in error.passes[0]["message"]
    assert go(provider, [book[0][1]], date=PRESCRIBED_ON).date == PRESCRIBED_ON


def test_grace_of_thirty_days_after_the_end_date(provider, book):
    # declared 30 days after the end, for a session on the last day: accepted
    late = ENDS_ON + timedelta(days=30)
    assert go(provider, [book[0][1]], date=ENDS_ON, today=late).date == ENDS_ON
    # a session after the end date: refused
    error = refused(provider, [book[1][1]], date=ENDS_ON + timedelta(days=1), today=late)
    assert isinstance(error, Gone)
    assert error.code == "after_end_date"
    assert "01/09/2026" in error.passes[0]["message"]
    # 31 days after the end: too late to declare, even for a session held before it
    error = refused(provider, [book[1][1]], date=ENDS_ON, today=late + timedelta(days=1))
    assert isinstance(error, Gone)
    assert error.code == "expired"


# all or nothing -----------------------------------------------------------------------------


def test_one_bad_code_among_good_ones_changes_nothing(provider, programme, book):
    Pass.objects.filter(pk=book[3][0].pk).update(status=PassStatus.CANCELLED)
    error = refused(provider, [book[0][1], book[1][1], book[3][1]], duration_minutes=180)
    assert error.code == "cancelled"
    assert [p["input"] for p in error.passes] == [book[3][1]]
    assert "1 pass est refusé" in error.message
    assert set(
        Pass.objects.filter(pk__in=[book[0][0].pk, book[1][0].pk]).values_list("status", flat=True)
    ) == {PassStatus.ASSIGNED}


def test_every_bad_pass_is_named_and_the_first_gives_the_status(provider, programme, book):
    go(provider, [book[0][1]])
    Pass.objects.filter(pk=book[1][0].pk).update(status=PassStatus.EXPIRED)
    unknown = another_code()
    typed = [book[2][1], unknown, "ABCD", book[0][1], book[1][1]]

    error = refused(provider, typed, duration_minutes=300)

    assert isinstance(error, NotFound)  # unknown_code comes first
    assert error.code == "unknown_code"
    assert [(p["input"], p["reason"]) for p in error.passes] == [
        (unknown, "unknown_code"),
        ("ABCD", "malformed_code"),
        (book[0][1], "already_redeemed"),
        (book[1][1], "expired"),
    ]
    assert all(p["message"] for p in error.passes)
    assert "4 pass sont refusés" in error.message
    assert "Aucun pass n'a été encaissé" in error.message

    error = refused(provider, ["abcd", book[0][1]])
    assert isinstance(error, InvalidInput)
    assert error.code == "malformed_code"


def test_the_database_constraint_backs_the_check(provider, programme, book):
    """A live redemption the status does not show (as a concurrent request would leave it):
    the partial unique constraint refuses the second one, as ``already_redeemed``."""
    pass_ = book[0][0]
    earlier = provider_actor(programme)
    first = go(earlier, [book[0][1]])
    Pass.objects.filter(pk=pass_.pk).update(status=PassStatus.ASSIGNED)
    error = refused(provider, [book[0][1]])
    assert error.code == "already_redeemed"
    assert Redemption.objects.filter(pass_obj=pass_).get().session == first


# throttling ---------------------------------------------------------------------------------


def test_malformed_and_unknown_codes_count_toward_the_throttle(provider, book):
    refused(provider, [another_code(), "XYZ", book[0][1]], duration_minutes=120)
    keys = {f"membership:{provider.membership.pk}", f"organisation:{provider.organisation.pk}"}
    assert set(ThrottleHit.objects.values_list("key", flat=True)) == {
        CODE_FAILURES.digest(key) for key in keys
    }
    assert ThrottleHit.objects.count() == 2 * len(keys)  # two failures, counted per key


def test_too_many_failures_are_throttled(provider, book):
    CODE_FAILURES.record({f"membership:{provider.membership.pk}": 19}, 19)
    with pytest.raises(TooManyLookups):  # the 21st failure goes over
        go(provider, [another_code(), another_code()], duration_minutes=120)
    assert Session.objects.count() == 0


def test_over_the_limit_a_refusal_says_nothing(provider, book):
    """Once over the limit, no refusal tells whether a code exists, even one with no unknown
    code in it (here a pass already redeemed)."""
    go(provider, [book[0][1]])
    CODE_FAILURES.record({f"organisation:{provider.organisation.pk}": 60}, 60)
    with pytest.raises(TooManyLookups):
        go(provider, [book[0][1]])
    with pytest.raises(TooManyLookups):
        go(provider, [another_code()])
    assert Session.objects.count() == 1


def test_over_the_limit_good_codes_are_still_redeemed(provider, book):
    """An accepted redemption reveals nothing to a guesser and is journaled under the
    provider's name: a member who mistyped many codes can still redeem the good ones."""
    CODE_FAILURES.record({f"membership:{provider.membership.pk}": 20}, 20)
    session = go(provider, [book[0][1]])
    assert [p.serial for p in session.redeemed_passes] == [book[0][0].serial]
    assert ThrottleHit.objects.count() == 20


# undo ---------------------------------------------------------------------------------------


def test_undo_gives_the_passes_back(provider, programme, book):
    session = go(provider, [book[0][1], book[1][1]], duration_minutes=120)

    undo_session(provider, session, "  Mauvaise date saisie  ", today=SESSION_DAY)

    session.refresh_from_db()
    assert session.undone_at is not None
    assert session.undone_by == provider.user
    assert set(Redemption.objects.values_list("undone_at", flat=True)) == {session.undone_at}
    assert set(
        Pass.objects.filter(pk__in=[book[0][0].pk, book[1][0].pk]).values_list("status", flat=True)
    ) == {PassStatus.ASSIGNED}
    entries = JournalEntry.objects.filter(action="redemption_undone")
    assert {(e.before, e.after, e.reason) for e in entries} == {
        (PassStatus.REDEEMED, PassStatus.ASSIGNED, "Mauvaise date saisie")
    }
    assert entries.count() == 2
    assert JournalEntry.objects.about(session).filter(action="undone").get().reason == (
        "Mauvaise date saisie"
    )
    # the passes can be redeemed again (the constraint only counts live redemptions)
    again = go(provider, [book[0][1]])
    assert (
        Redemption.objects.filter(pass_obj=book[0][0], undone_at__isnull=True).get().session
        == again
    )


def test_undo_needs_a_reason(provider, book):
    session = go(provider, [book[0][1]])
    with pytest.raises(InvalidInput) as caught:
        undo_session(provider, session, "  ")
    assert caught.value.code == "reason_required"
    session.refresh_from_db()
    assert session.undone_at is None


def test_only_the_declaring_provider_undoes(provider, programme, book, make_actor):
    session = go(provider, [book[0][1]])
    for actor in (provider_actor(programme), make_actor(Kind.OPERATOR)):
        with pytest.raises(NotAllowed):
            undo_session(actor, session, "Erreur")
    assert Pass.objects.get(pk=book[0][0].pk).status == PassStatus.REDEEMED


def test_undo_within_48_hours(provider, book):
    session = go(provider, [book[0][1]])
    deadline = session.created_at + timedelta(hours=48)
    before = state()
    with pytest.raises(UndoTooLate) as caught:
        undo_session(provider, session, "Erreur", now=deadline + timedelta(seconds=1))
    assert caught.value.code == "undo_too_late"
    assert state() == before
    late = deadline + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=late), pytest.raises(UndoTooLate):
        undo_session(provider, session, "Erreur")
    undo_session(provider, session, "Erreur", now=deadline, today=SESSION_DAY)
    assert Pass.objects.get(pk=book[0][0].pk).status == PassStatus.ASSIGNED
    with pytest.raises(AlreadyUndone):
        undo_session(provider, session, "Encore")


def test_no_undo_once_in_a_statement(provider, programme, book):
    session = go(provider, [book[0][1]])
    statement = Statement.objects.create(
        programme=programme, organisation=provider.organisation, period=date(2026, 3, 1)
    )
    Redemption.objects.filter(session=session).update(statement=statement)
    before = state()
    with pytest.raises(InStatement) as caught:
        undo_session(provider, session, "Erreur")
    assert caught.value.code == "in_statement"
    assert state() == before


def test_undo_after_the_grace_expires_the_pass_instead(provider, programme, book):
    """A pass that can no longer be redeemed does not come back as committed budget."""
    session = go(provider, [book[0][1]])
    pass_ = Pass.objects.get(pk=book[0][0].pk)
    after_grace = pass_.expires_on + timedelta(days=31)

    undo_session(provider, session, "Erreur de saisie", today=after_grace)

    assert Pass.objects.get(pk=pass_.pk).status == PassStatus.EXPIRED
    entry = JournalEntry.objects.get(action="redemption_undone")
    assert (entry.before, entry.after) == (PassStatus.REDEEMED, PassStatus.EXPIRED)
