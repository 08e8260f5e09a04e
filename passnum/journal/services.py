"""Writing to the journal. Callers are already inside the transaction of the change."""

from .models import JournalEntry, subject_type_of


def _entry(actor, obj, action, before="", after="", reason="", data=None):
    return JournalEntry(
        programme_id=obj.programme_id,
        user_id=actor.user.pk if actor is not None else None,
        organisation_id=actor.organisation.pk if actor is not None else None,
        subject_type=subject_type_of(obj),
        subject_id=obj.pk,
        action=action,
        before=before or "",
        after=after or "",
        reason=reason or "",
        data=data or {},
    )


def journal_entry(actor, obj, action, *, before="", after="", reason="", data=None):
    """An unsaved entry, for callers that write several in one insert."""
    return _entry(actor, obj, action, before, after, reason, data)


def record(actor, obj, action, *, before="", after="", reason="", data=None) -> JournalEntry:
    """Append one entry about ``obj`` (which has a ``programme_id``). ``actor`` None = command."""
    entry = _entry(actor, obj, action, before, after, reason, data)
    entry.save()
    return entry


def record_many(actor, objects, action, *, before="", after="", reason="", data=None) -> None:
    """Append one entry per object, in one query per thousand rows."""
    JournalEntry.objects.bulk_create(
        [_entry(actor, o, action, before, after, reason, data) for o in objects],
        batch_size=1000,
    )
