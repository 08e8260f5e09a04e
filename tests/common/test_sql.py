"""Plain-SQL writes (``passnum.common.sql``): the rows they write are those the ORM would write,
on SQLite and PostgreSQL alike; a batch of statements runs in order, and all or nothing."""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from passnum.common import sql
from passnum.journal.models import Action, JournalEntry, SubjectType
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.paths.models import Path
from passnum.redemptions.models import PlaceType, Redemption, Session, SessionKind
from tests.factories import ProgrammeFactory, ProviderPlaceFactory, UserFactory
from tests.redemptions.factories import checkbook_codes, provider_actor, stock_code

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC
# What a careless statement would mangle: accents, quotes, a backslash, placeholders, an emoji.
TEXT = 'Séance à Mende : l\'été « chaud », "cité", \\ 100 %s %(x)s % 😀\nfin'
NESTED = {
    "lieu": "Châteauneuf-de-Randon",
    "passes": ["2026-0001", "2026-0002"],
    "détails": {"durée": 90, "thèmes": ["sécurité", "démarches"], "ok": True, "vide": None},
    "liste": [1, 2.5, {"clé": "valeur l'é %s"}, [], {}],
}


@pytest.fixture
def provider(programme):
    return provider_actor(programme)


def compared_fields(model) -> list[str]:
    """Every concrete column but the primary key and the automatic timestamps."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not (
            f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        )
    ]


def values(obj) -> dict:
    return {name: getattr(obj, name) for name in compared_fields(type(obj))}


def new_rows(model, write) -> list:
    """Run ``write()``; the rows of ``model`` it added, re-read from the database."""
    before = set(model.objects.values_list("pk", flat=True))
    write()
    return list(model.objects.exclude(pk__in=before).order_by("pk"))


def insert(objs) -> None:
    sql.execute([sql.insert_statement(objs)])


def a_session(provider, **fields) -> Session:
    fields = {
        "date": date(2026, 3, 10),
        "duration_minutes": 60,
        "services": ["outils_quotidien"],
        "place_type": PlaceType.OWN_SITE,
        **fields,
    }
    return Session(
        programme=provider.programme,
        organisation=provider.organisation,
        created_by=provider.user,
        **fields,
    )


def snapshot() -> dict:
    """Everything a failed batch must leave unchanged."""
    return {
        "passes": list(Pass.objects.order_by("pk").values()),
        "sessions": list(Session.objects.order_by("pk").values()),
        "redemptions": list(Redemption.objects.order_by("pk").values()),
    }


# insert: the same row as bulk_create ---------------------------------------------------------


def test_insert_writes_the_session_bulk_create_writes(provider, programme):
    place = ProviderPlaceFactory(organisation=provider.organisation)
    path = Path.objects.create(programme=programme, name="Accès aux droits", services=["securite"])
    undone_by = UserFactory()
    undone_at = datetime.datetime(2026, 3, 10, 18, 45, 7, 123456, tzinfo=PARIS)

    def make():
        return a_session(
            provider,
            place=place,
            path=path,
            duration_minutes=90,
            services=["outils_quotidien", "démarches « à l'écran » %s", NESTED],
            place_type=PlaceType.HOME,
            undone_at=undone_at,
            undone_by=undone_by,
        )

    start = timezone.now()
    by_helper, by_orm = make(), make()
    [written] = new_rows(Session, lambda: insert([by_helper]))
    [created] = new_rows(Session, lambda: Session.objects.bulk_create([by_orm]))
    end = timezone.now()

    # Nothing left out of the comparison: every foreign key, the JSON, the dates, the default.
    assert {
        "programme_id",
        "organisation_id",
        "place_id",
        "path_id",
        "created_by_id",
        "undone_by_id",
        "services",
        "date",
        "undone_at",
        "kind",
    } <= set(compared_fields(Session))
    assert values(written) == values(created) == values(make())
    assert written.services[2] == NESTED
    assert written.kind == SessionKind.INDIVIDUAL  # the field's default
    assert written.undone_at == undone_at
    assert timezone.is_aware(written.undone_at)
    # auto_now_add: the time the instance was given (pre_save), aware, like bulk_create's.
    assert written.created_at == by_helper.created_at
    assert timezone.is_aware(written.created_at)
    assert start <= written.created_at <= created.created_at <= end


def test_insert_writes_the_journal_entries_bulk_create_writes(provider, programme):
    """Several rows in one statement: text, nested JSON, nullable foreign keys, defaults."""
    at = datetime.datetime(2026, 3, 10, 9, 5, 30, 250_000, tzinfo=PARIS)

    def make():
        return [
            JournalEntry(
                programme=programme,
                at=at,
                user=provider.user,
                organisation=provider.organisation,
                subject_type=SubjectType.SESSION,
                subject_id=1,
                action=Action.CREATED,
                data={**NESTED, "texte": TEXT},
            ),
            JournalEntry(
                programme=programme,
                at=at + datetime.timedelta(microseconds=1),
                subject_type=SubjectType.PASS,
                subject_id=2,
                action=Action.REDEEMED,
                before=PassStatus.ASSIGNED,
                after=PassStatus.REDEEMED,
                data={"session": 1},
            ),
            JournalEntry(
                programme=programme,
                at=datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
                subject_type=SubjectType.PASS,
                subject_id=3,
                action=Action.EXPIRED,
                after=PassStatus.EXPIRED,
            ),
        ]

    written = new_rows(JournalEntry, lambda: insert(make()))
    created = new_rows(JournalEntry, lambda: JournalEntry.objects.bulk_create(make()))

    assert {"at", "user_id", "organisation_id", "data"} <= set(compared_fields(JournalEntry))
    by_subject = sorted(written, key=lambda e: e.subject_id)
    assert [values(e) for e in by_subject] == [
        values(e) for e in sorted(created, key=lambda e: e.subject_id)
    ]
    assert [values(e) for e in by_subject] == [values(e) for e in make()]
    first, _, last = by_subject
    assert first.data == {**NESTED, "texte": TEXT}
    assert (last.data, last.before, last.user_id) == ({}, "", None)
    assert [e.at for e in by_subject] == [e.at for e in make()]
    assert all(timezone.is_aware(e.at) for e in by_subject)


def test_insert_writes_the_default_datetime_the_instance_holds(programme):
    start = timezone.now()
    entry = JournalEntry(
        programme=programme,
        subject_type=SubjectType.PASS,
        subject_id=7,
        action=Action.EXPIRED,
        after=PassStatus.EXPIRED,
    )
    [written] = new_rows(JournalEntry, lambda: insert([entry]))
    assert written.at == entry.at
    assert timezone.is_aware(written.at)
    assert start <= written.at <= timezone.now()


# datetimes: the ORM's lookups find what the helpers wrote ---------------------------------------


def test_orm_datetime_lookups_find_rows_written_by_the_helpers(programme):
    """On SQLite a datetime is text: the rows must be written in the ORM's own format."""
    bound = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=PARIS)  # 13:00 UTC
    ats = {
        1: datetime.datetime(2026, 3, 9, 23, 30, tzinfo=UTC),  # 10 March, 00:30 in Paris
        2: datetime.datetime(2026, 3, 10, 13, 0, tzinfo=UTC),  # the bound itself
        3: datetime.datetime(2026, 3, 10, 14, 0, 0, 1, tzinfo=PARIS),  # just after
        4: datetime.datetime(2026, 3, 10, 12, 59, 59, 999_999, tzinfo=UTC),  # just before
        5: datetime.datetime(2026, 3, 11, 8, 0, tzinfo=PARIS),
    }
    other = ProgrammeFactory()

    def entries(prog):
        return [
            JournalEntry(
                programme=prog,
                at=at,
                subject_type=SubjectType.PASS,
                subject_id=n,
                action=Action.EXPIRED,
                after=PassStatus.EXPIRED,
            )
            for n, at in ats.items()
        ]

    insert(entries(programme))
    JournalEntry.objects.bulk_create(entries(other))

    def found(prog, **lookup):
        rows = JournalEntry.objects.filter(programme=prog, **lookup)
        return set(rows.values_list("subject_id", flat=True))

    expected = [
        ({"at": bound}, {2}),
        ({"at__gte": bound}, {2, 3, 5}),
        ({"at__gt": bound}, {3, 5}),
        ({"at__lt": bound}, {1, 4}),
        ({"at__lte": bound}, {1, 2, 4}),
        ({"at__range": (ats[4], ats[3])}, {2, 3, 4}),
        ({"at__date": date(2026, 3, 10)}, {1, 2, 3, 4}),  # in Paris time
        ({"at__year": 2026, "at__month": 3, "at__day": 11}, {5}),
    ]
    for lookup, subjects in expected:
        assert found(programme, **lookup) == subjects, lookup
        assert found(other, **lookup) == subjects, lookup
    in_order = JournalEntry.objects.filter(programme=programme).order_by("at")
    assert list(in_order.values_list("subject_id", flat=True)) == [1, 4, 2, 3, 5]


# insert_returning_pk --------------------------------------------------------------------------


def test_insert_returning_pk_gives_the_row_its_key(provider, programme):
    [(pass_, _), *_] = checkbook_codes(programme)
    session = a_session(provider, duration_minutes=90)
    assert session.pk is None
    assert session._state.adding

    sql.insert_returning_pk(session)

    assert session.pk is not None
    assert not session._state.adding
    assert session._state.db == "default"
    stored = Session.objects.get(pk=session.pk)
    assert (stored.duration_minutes, stored.created_by_id) == (90, provider.user.pk)
    assert stored.created_at == session.created_at

    second = a_session(provider, duration_minutes=120)
    sql.insert_returning_pk(second)
    assert second.pk != session.pk
    assert Session.objects.get(pk=second.pk).duration_minutes == 120

    # The session is now a foreign key for another insert.
    insert([Redemption(programme=programme, session=session, pass_obj=pass_)])
    redemption = Redemption.objects.get(pass_obj=pass_)
    assert redemption.session_id == session.pk
    assert list(session.redemptions.all()) == [redemption]
    assert not second.redemptions.exists()


# update ---------------------------------------------------------------------------------------


def test_update_changes_only_the_listed_rows_and_fields(programme):
    passes = [p for p, _ in checkbook_codes(programme)]
    in_stock, _ = stock_code(programme)
    before = {row["id"]: row for row in Pass.objects.values()}
    chosen = {passes[1].pk, passes[3].pk}
    # Earlier than the passes' creation, so that the ORM's lookups below tell them apart.
    now = datetime.datetime(2025, 12, 31, 23, 30, 0, 654_321, tzinfo=PARIS)

    sql.execute(
        [sql.update_statement(Pass, sorted(chosen), status=PassStatus.REDEEMED, updated_at=now)]
    )

    after = {row["id"]: row for row in Pass.objects.values()}
    assert after.keys() == before.keys()
    assert in_stock.pk in after
    for pk, row in after.items():
        if pk in chosen:
            assert row == {**before[pk], "status": PassStatus.REDEEMED, "updated_at": now}
        else:
            assert row == before[pk]
    assert timezone.is_aware(after[passes[1].pk]["updated_at"])

    # The same values as QuerySet.update writes.
    Pass.objects.filter(pk=passes[0].pk).update(status=PassStatus.REDEEMED, updated_at=now)
    by_orm = Pass.objects.values("status", "updated_at").get(pk=passes[0].pk)
    assert by_orm == Pass.objects.values("status", "updated_at").get(pk=passes[1].pk)
    assert Pass.objects.filter(updated_at=now).count() == 3
    assert Pass.objects.filter(updated_at__lte=now).count() == 3


def test_update_writes_json_and_datetimes(provider):
    first, second = a_session(provider), a_session(provider)
    sql.insert_returning_pk(first)
    sql.insert_returning_pk(second)
    undone_at = datetime.datetime(2026, 3, 11, 9, 0, tzinfo=PARIS)

    sql.execute(
        [
            sql.update_statement(
                Session,
                [first.pk],
                services=NESTED,
                undone_at=undone_at,
                undone_by_id=provider.user.pk,
            )
        ]
    )

    first.refresh_from_db()
    assert (first.services, first.undone_at, first.undone_by_id) == (
        NESTED,
        undone_at,
        provider.user.pk,
    )
    assert Session.objects.filter(undone_at__lte=undone_at).get() == first
    second.refresh_from_db()
    assert (second.services, second.undone_at) == (["outils_quotidien"], None)


# execute: in order, all or nothing -----------------------------------------------------------


@pytest.fixture
def redeemed(provider, programme):
    """A pass, a session and the pass's live redemption for it."""
    [(pass_, _), *_] = checkbook_codes(programme)
    session = a_session(provider)
    sql.insert_returning_pk(session)
    redemption = Redemption.objects.create(programme=programme, session=session, pass_obj=pass_)
    return pass_, session, redemption


def test_execute_runs_every_statement_in_order(programme, redeemed):
    """Undo the live redemption, then redeem the pass again: in the other order, the second
    live redemption would break the constraint."""
    pass_, session, first = redeemed
    now = timezone.now()

    sql.execute(
        [
            sql.update_statement(Redemption, [first.pk], undone_at=now),
            sql.insert_statement(
                [Redemption(programme=programme, session=session, pass_obj=pass_)]
            ),
            sql.update_statement(Pass, [pass_.pk], status=PassStatus.REDEEMED),
            sql.update_statement(Pass, [pass_.pk], status=PassStatus.ASSIGNED),
        ]
    )

    rows = Redemption.objects.filter(pass_obj=pass_).order_by("pk")
    assert list(rows.values_list("pk", "undone_at")) == [
        (first.pk, now),
        (rows.last().pk, None),
    ]
    assert Pass.objects.get(pk=pass_.pk).status == PassStatus.ASSIGNED


def test_execute_in_the_wrong_order_breaks_the_constraint(programme, redeemed):
    pass_, session, first = redeemed
    before = snapshot()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.execute(
            [
                sql.insert_statement(
                    [Redemption(programme=programme, session=session, pass_obj=pass_)]
                ),
                sql.update_statement(Redemption, [first.pk], undone_at=timezone.now()),
            ]
        )
    assert snapshot() == before


def second_live_redemption(programme, session, pass_, other):
    return sql.insert_statement([Redemption(programme=programme, session=session, pass_obj=pass_)])


def serial_taken(programme, session, pass_, other):
    return sql.update_statement(Pass, [other.pk], serial=pass_.serial)


def back_in_stock_with_a_checkbook(programme, session, pass_, other):
    return sql.update_statement(Pass, [other.pk], status=PassStatus.AVAILABLE)


@pytest.mark.parametrize(
    "violation", [second_live_redemption, serial_taken, back_in_stock_with_a_checkbook]
)
def test_a_batch_breaking_a_constraint_leaves_nothing(programme, redeemed, violation):
    """The statements before and after the bad one are undone with it."""
    pass_, session, first = redeemed
    other = Pass.objects.filter(checkbook=pass_.checkbook).exclude(pk=pass_.pk).first()
    before = snapshot()

    with pytest.raises(IntegrityError), transaction.atomic():
        sql.execute(
            [
                sql.update_statement(Pass, [other.pk], status=PassStatus.REDEEMED),
                sql.insert_statement(
                    [Redemption(programme=programme, session=session, pass_obj=other)]
                ),
                violation(programme, session, pass_, other),
                sql.update_statement(Redemption, [first.pk], undone_at=timezone.now()),
            ]
        )

    assert snapshot() == before
    assert Redemption.objects.filter(pass_obj=other).count() == 0


@pytest.mark.django_db(transaction=True)
def test_execute_is_all_or_nothing_outside_a_transaction_too(programme, redeemed):
    """Without an enclosing ``atomic()``, the batch is still one transaction: the statements
    before the bad one are undone, on SQLite as on PostgreSQL."""
    pass_, _, first = redeemed
    before = snapshot()
    with pytest.raises(IntegrityError):
        sql.execute(
            [
                sql.update_statement(Redemption, [first.pk], undone_at=timezone.now()),
                sql.update_statement(Pass, [pass_.pk], status=PassStatus.AVAILABLE),
            ]
        )
    assert snapshot() == before


# what bulk_create refuses, refused here too --------------------------------------------------


def test_insert_refuses_an_unsaved_related_object(provider):
    place = ProviderPlaceFactory.build(organisation=provider.organisation)
    with pytest.raises(ValueError, match="unsaved related object"):
        sql.insert_statement([a_session(provider, place=place)])
    assert not Session.objects.exists()


def test_insert_takes_the_key_of_a_related_object_saved_after_assignment(provider, programme):
    [(pass_, _), *_] = checkbook_codes(programme)
    session = a_session(provider)
    redemption = Redemption(programme=programme, session=session, pass_obj=pass_)
    sql.insert_returning_pk(session)
    insert([redemption])
    assert Redemption.objects.get(pass_obj=pass_).session_id == session.pk


def test_instances_are_marked_saved_once_written_only(provider):
    session = a_session(provider)
    statement = sql.insert_statement([session])
    assert session._state.adding
    sql.execute([statement])
    assert not session._state.adding


def test_nothing_to_write_is_refused_before_any_query(programme, django_assert_num_queries):
    with django_assert_num_queries(0):
        with pytest.raises(ValueError, match="Rien à insérer"):
            sql.insert_statement([])
        with pytest.raises(ValueError, match="Rien à mettre à jour"):
            sql.update_statement(Pass, [], status=PassStatus.REDEEMED)


def test_a_foreign_key_is_updated_by_its_column(programme):
    passes = [p for p, _ in checkbook_codes(programme)]
    book = passes[0].checkbook
    with pytest.raises(ValueError, match="checkbook_id"):
        sql.update_statement(Pass, [passes[1].pk], checkbook=book)
    other = checkbook_codes(programme)[0][0].checkbook
    sql.execute([sql.update_statement(Pass, [passes[1].pk], checkbook_id=other.pk)])
    assert Pass.objects.get(pk=passes[1].pk).checkbook_id == other.pk
