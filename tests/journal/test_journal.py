"""The journal is append-only: in the ORM, and on PostgreSQL in the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from passnum.journal.models import AppendOnlyError, JournalEntry, SubjectType
from passnum.journal.services import record, record_many
from passnum.organisations.enums import OrganisationKind
from tests.factories import ReferralFactory


@pytest.fixture
def referral(programme):
    return ReferralFactory(beneficiary__programme=programme)


@pytest.fixture
def entry(referral):
    return record(None, referral, "created", after="pending", data={"tier": 3})


def test_record_appends_an_entry(make_actor, programme, referral):
    actor = make_actor(OrganisationKind.DEPARTMENT)
    entry = record(actor, referral, "rejected", before="pending", after="rejected", reason="Non")
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert stored.programme == programme
    assert (stored.subject_type, stored.subject_id) == (SubjectType.REFERRAL, referral.pk)
    assert (stored.action, stored.before, stored.after, stored.reason) == (
        "rejected",
        "pending",
        "rejected",
        "Non",
    )
    assert (stored.user, stored.organisation) == (actor.user, actor.organisation)
    assert stored.at is not None
    assert list(JournalEntry.objects.about(referral)) == [stored]


def test_record_many_and_a_command_without_actor(programme):
    referrals = [ReferralFactory(beneficiary__programme=programme) for _ in range(3)]
    record_many(None, referrals, "reminded", data={"days": 30})
    entries = JournalEntry.objects.filter(action="reminded")
    assert {e.subject_id for e in entries} == {r.pk for r in referrals}
    assert {(e.user_id, e.organisation_id) for e in entries} == {(None, None)}


def test_saving_an_existing_entry_is_refused(entry):
    entry.reason = "réécrit"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert JournalEntry.objects.get(pk=entry.pk).reason == ""


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.filter(pk=entry.pk).update(reason="réécrit")
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.update(action="x")
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert (stored.reason, stored.action) == ("", "created")


def test_raw_sql_update_is_refused_on_postgresql(postgres_only, entry):
    table = JournalEntry._meta.db_table
    with (
        pytest.raises(DatabaseError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["réécrit", entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).reason == ""


def test_raw_sql_delete_is_refused_on_postgresql(postgres_only, entry):
    table = JournalEntry._meta.db_table
    with (
        pytest.raises(DatabaseError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


def test_new_entries_are_still_allowed_on_postgresql(postgres_only, referral, entry):
    """The trigger refuses changes, not new entries."""
    record(None, referral, "reminded")
    assert JournalEntry.objects.about(referral).count() == 2
