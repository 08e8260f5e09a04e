"""The append-only journal: every change of a pass, a referral, a prescription, a checkbook, a
session or a statement.

An entry is never changed nor deleted (here, on querysets, and by a database trigger on
PostgreSQL). The free text of an entry — a reason typed by someone, which may describe a person
— is kept apart, in a ``JournalNote``, so that it can be erased when the person's data is
anonymised without touching the entry itself.
"""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .enums import ACTIONS_BY_SUBJECT, Action, SubjectType

__all__ = ["Action", "AppendOnlyError", "JournalEntry", "JournalNote", "SubjectType"]


class AppendOnlyError(Exception):
    """The journal is never changed nor deleted, only appended to."""


class UnregisteredSubject(TypeError):
    """Only the models registered with ``journal_subject`` are written to the journal."""


# model class → subject type, filled by the ``journal_subject`` decorator of each domain model.
_SUBJECTS: dict[type, SubjectType] = {}


def journal_subject(subject_type: SubjectType):
    """Register a model as a subject of the journal (a class decorator)::

    @journal_subject(SubjectType.PASS)
    class Pass(models.Model): ...

    The model must have a ``programme_id``: every entry belongs to one programme.
    """

    def register(model):
        if subject_type in _SUBJECTS.values() and _SUBJECTS.get(model) != subject_type:
            raise ValueError(f"{subject_type} est déjà le sujet d'un autre modèle.")
        _SUBJECTS[model] = subject_type
        return model

    return register


def subject_type_of(obj) -> SubjectType:
    try:
        return _SUBJECTS[type(obj)]
    except KeyError:
        raise UnregisteredSubject(
            f"{type(obj).__name__} n'est pas un sujet du journal (journal_subject)."
        ) from None


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError("Le journal ne peut pas être effacé.")

    def about(self, obj):
        return self.filter(subject_type=subject_type_of(obj), subject_id=obj.pk)


def _valid_pairs() -> Q:
    return reduce(
        or_,
        (
            Q(subject_type=subject, action__in=[a.value for a in actions])
            for subject, actions in ACTIONS_BY_SUBJECT.items()
        ),
    )


class JournalEntry(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="journal_entries",
        verbose_name="programme",
    )
    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
        help_text="Vide pour une commande ou une tâche planifiée.",
        db_index=False,  # the journal is read by subject and by programme, not by user
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pour la structure",
        db_index=False,
    )
    subject_type = models.CharField("objet", max_length=20, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField("identifiant de l'objet")
    action = models.CharField("action", max_length=40, choices=Action.choices)
    before = models.CharField("état avant", max_length=40, blank=True)
    after = models.CharField("état après", max_length=40, blank=True)
    data = models.JSONField(
        "détails",
        default=dict,
        blank=True,
        help_text="Jamais de donnée personnelle : numéros, dates, montants, codes.",
    )

    objects = models.Manager.from_queryset(JournalQuerySet)()

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="journal_subject")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_type__in=SubjectType.values),
                name="journal_subject_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(action__in=Action.values), name="journal_action_valid"
            ),
            # Each subject has its own actions (a pass is not « validated »).
            models.CheckConstraint(condition=_valid_pairs(), name="journal_action_of_subject"),
            # Every entry about a pass records the status it moved to.
            models.CheckConstraint(
                condition=~Q(subject_type=SubjectType.PASS) | ~Q(after=""),
                name="journal_pass_move_has_after",
            ),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.subject_type} {self.subject_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Le journal ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal ne peut pas être effacé.")

    @property
    def reason(self) -> str:
        """The reason typed with the change (empty once erased, or when there was none)."""
        try:
            return self.note.text
        except JournalNote.DoesNotExist:
            return ""


class JournalNote(models.Model):
    """The free text of one journal entry (a reason). It may describe a person's situation, so
    it lives apart from the append-only entry and can be erased (``erase_notes``)."""

    entry = models.OneToOneField(
        JournalEntry,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="note",
        verbose_name="entrée",
    )
    text = models.TextField("motif", blank=True)
    erased_at = models.DateTimeField("effacé le", null=True, blank=True)

    class Meta:
        verbose_name = "motif d'une entrée du journal"
        verbose_name_plural = "motifs des entrées du journal"
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(text=""), name="journal_note_erased"
            ),
        ]

    def __str__(self):
        return f"Motif de l'entrée n° {self.entry_id}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Un motif s'efface (erase_notes), il ne se supprime pas.")
