"""Writing to the journal. Callers are already inside the transaction of the change.

``action`` is an ``Action``; ``reason`` is free text typed by someone (kept in a ``JournalNote``,
erasable); ``data`` holds facts only (numbers, dates, amounts, codes of the vocabularies), never
personal data.
"""

from django.db import transaction
from django.utils import timezone

from .enums import Action
from .models import JournalEntry, JournalNote, subject_type_of


def journal_entry(actor, obj, action: Action, *, before="", after="", data=None) -> JournalEntry:
    """An unsaved entry without free text, for callers that write several in one insert (the
    redemption's plain-SQL path)."""
    return JournalEntry(
        programme_id=obj.programme_id,
        user_id=actor.user.pk if actor is not None else None,
        organisation_id=actor.organisation.pk if actor is not None else None,
        subject_type=subject_type_of(obj),
        subject_id=obj.pk,
        action=Action(action),
        before=before or "",
        after=after or "",
        data=data or {},
    )


def record(actor, obj, action: Action, *, before="", after="", reason="", data=None):
    """Append one entry about ``obj`` (which has a ``programme_id``). ``actor`` None = a
    command or a scheduled task."""
    entry = journal_entry(actor, obj, action, before=before, after=after, data=data)
    entry.save()
    if reason:
        JournalNote.objects.create(entry=entry, text=reason)
    return entry


def record_many(actor, objects, action: Action, *, before="", after="", reason="", data=None):
    """Append one entry per object, in one query per thousand rows (two with a reason)."""
    entries = JournalEntry.objects.bulk_create(
        [journal_entry(actor, o, action, before=before, after=after, data=data) for o in objects],
        batch_size=1000,
    )
    if reason:
        JournalNote.objects.bulk_create(
            [JournalNote(entry=e, text=reason) for e in entries], batch_size=1000
        )
    return entries


def erase_notes(entries, *, now=None) -> int:
    """Blank the free text of these journal entries (anonymisation): the entries themselves,
    append-only, are untouched. Returns how many notes were erased."""
    now = now or timezone.now()
    with transaction.atomic():
        return JournalNote.objects.filter(entry__in=entries, erased_at__isnull=True).update(
            text="", erased_at=now
        )
