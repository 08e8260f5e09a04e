"""Journal notes: the free text of entries, kept apart so that it can be erased."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_reasons_to_notes(apps, schema_editor):
    """Each reason leaves the append-only entry for its own, erasable note."""
    entry_model = apps.get_model("journal", "JournalEntry")
    note_model = apps.get_model("journal", "JournalNote")
    rows = entry_model.objects.exclude(reason="").values_list("pk", "reason").iterator()
    batch = []
    for pk, reason in rows:
        batch.append(note_model(entry_id=pk, text=reason))
        if len(batch) == 1000:
            note_model.objects.bulk_create(batch)
            batch = []
    note_model.objects.bulk_create(batch)


def move_notes_back_to_reasons(apps, schema_editor):
    raise RuntimeError("Retour impossible : le journal est en ajout seul.")


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0004_fewer_indexes"),
        ("organisations", "0001_initial"),
        ("programmes", "0002_payer"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="JournalNote",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="note",
                        serialize=False,
                        to="journal.journalentry",
                        verbose_name="entrée",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="motif")),
                (
                    "erased_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="effacé le"),
                ),
            ],
            options={
                "verbose_name": "motif d'une entrée du journal",
                "verbose_name_plural": "motifs des entrées du journal",
            },
        ),
        migrations.RunPython(move_reasons_to_notes, move_notes_back_to_reasons),
    ]
