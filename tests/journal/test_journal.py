"""The journal: typed actions and subjects, append-only in the ORM and in the database, and its
free texts kept apart so that they can be erased."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from passnum.journal.enums import ACTIONS_BY_SUBJECT
from passnum.journal.models import (
    Action,
    AppendOnlyError,
    JournalEntry,
    JournalNote,
    SubjectType,
    UnregisteredSubject,
    journal_subject,
    subject_type_of,
)
from passnum.journal.services import erase_notes, journal_entry, record, record_many
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Organisation
from tests.factories import ReferralFactory


@pytest.fixture
def referral(programme):
    return ReferralFactory(beneficiary__programme=programme)


@pytest.fixture
def entry(referral):
    return record(None, referral, Action.CREATED, after="pending", data={"tier": 3})


def test_record_appends_an_entry(make_actor, programme, referral):
    actor = make_actor(OrganisationKind.DEPARTMENT)
    entry = record(
        actor, referral, Action.REJECTED, before="pending", after="rejected", reason="Non"
    )
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
    record_many(None, referrals, Action.WITHDRAWN, reason="Déménagement", data={"days": 30})
    entries = JournalEntry.objects.filter(action=Action.WITHDRAWN).select_related("note")
    assert {e.subject_id for e in entries} == {r.pk for r in referrals}
    assert {(e.user_id, e.organisation_id) for e in entries} == {(None, None)}
    assert {e.reason for e in entries} == {"Déménagement"}


def test_an_entry_without_reason_has_no_note(entry):
    assert entry.reason == ""
    assert not JournalNote.objects.exists()


def test_an_unknown_action_is_refused_before_the_database(referral):
    with pytest.raises(ValueError, match="not a valid Action"):
        record(None, referral, "noted")


def test_the_database_refuses_an_action_of_another_subject(referral):
    """A referral is never « validated »: the pairs of subject and action are checked."""
    wrong = journal_entry(None, referral, Action.VALIDATED)
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()
    assert not JournalEntry.objects.exists()


def test_the_database_refuses_a_free_string_action(referral):
    wrong = journal_entry(None, referral, Action.CREATED)
    wrong.action = "noted"
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()


def test_the_database_refuses_a_pass_entry_without_its_new_status(programme):
    from passnum.passes.services import generate_passes

    (pass_,) = generate_passes(programme, 1)
    wrong = journal_entry(None, pass_, Action.EXPIRED, before="assigned")
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()


def test_every_subject_has_actions_and_every_action_a_subject():
    assert set(ACTIONS_BY_SUBJECT) == set(SubjectType)
    assert {a for actions in ACTIONS_BY_SUBJECT.values() for a in actions} == set(Action)


def test_subjects_are_registered_explicitly(programme):
    assert subject_type_of(ReferralFactory(beneficiary__programme=programme)) == (
        SubjectType.REFERRAL
    )
    with pytest.raises(UnregisteredSubject):
        subject_type_of(Organisation(programme=programme))
    with pytest.raises(ValueError, match="déjà le sujet"):
        journal_subject(SubjectType.PASS)(type("Other", (), {}))


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = Action.WITHDRAWN
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert JournalEntry.objects.get(pk=entry.pk).action == "created"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.filter(pk=entry.pk).update(after="réécrit")
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.update(action="x")
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert (stored.after, stored.action) == ("pending", "created")


def test_erasing_notes_blanks_the_free_text_and_keeps_the_entries(make_actor, referral):
    actor = make_actor(OrganisationKind.DEPARTMENT)
    rejected = record(
        actor,
        referral,
        Action.REJECTED,
        before="pending",
        after="rejected",
        reason="Mme X, sans domicile, déjà suivie par le CCAS",
    )
    kept = record(actor, referral, Action.CREATED, after="pending", reason="Autre texte")
    assert erase_notes([rejected]) == 1
    assert erase_notes([rejected]) == 0  # already erased
    stored = JournalEntry.objects.select_related("note").get(pk=rejected.pk)
    assert stored.reason == ""
    assert stored.note.erased_at is not None
    assert (stored.action, stored.before, stored.after) == ("rejected", "pending", "rejected")
    assert JournalEntry.objects.get(pk=kept.pk).reason == "Autre texte"


def test_a_note_is_never_deleted(make_actor, referral):
    entry = record(
        None, referral, Action.WITHDRAWN, before="pending", after="withdrawn", reason="x"
    )
    with pytest.raises(AppendOnlyError):
        entry.note.delete()


def test_an_erased_note_cannot_keep_its_text(referral):
    entry = record(
        None, referral, Action.WITHDRAWN, before="pending", after="withdrawn", reason="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalNote.objects.filter(pk=entry.pk).update(erased_at="2026-01-01T00:00:00Z")


def test_raw_sql_update_is_refused_on_postgresql(postgres_only, entry):
    table = JournalEntry._meta.db_table
    with (
        pytest.raises(DatabaseError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET after = %s WHERE id = %s", ["réécrit", entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).after == "pending"


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
    record(None, referral, Action.WITHDRAWN, before="pending", after="withdrawn")
    assert JournalEntry.objects.about(referral).count() == 2
