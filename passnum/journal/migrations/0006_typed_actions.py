"""Typed journal: the reason leaves the entry (see 0005), actions are a closed list checked
per subject."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0005_journal_notes")]

    operations = [
        migrations.RemoveField(
            model_name="journalentry",
            name="reason",
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Création"),
                    ("generated", "Pass généré"),
                    ("imported", "Pass importé"),
                    ("assigned", "Pass attribué"),
                    ("cancelled", "Pass annulé (perdu ou volé)"),
                    ("issued_as_replacement", "Pass émis en remplacement"),
                    ("expired", "Pass expiré"),
                    ("redeemed", "Pass encaissé"),
                    ("redemption_undone", "Encaissement annulé"),
                    ("reimbursed", "Pass remboursé"),
                    ("issued", "Chéquier délivré"),
                    ("passes_replaced", "Pass remplacés"),
                    ("printed", "Chéquier imprimé"),
                    ("prescribed", "Orientation prescrite"),
                    ("rejected", "Orientation refusée"),
                    ("withdrawn", "Orientation retirée"),
                    ("undone", "Séance annulée"),
                    ("completed", "Relevé complété"),
                    ("validated", "Relevé validé"),
                    ("paid", "Relevé payé"),
                    ("sepa_exported", "Virement SEPA produit"),
                ],
                max_length=40,
                verbose_name="action",
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="data",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Jamais de donnée personnelle : numéros, dates, montants, codes.",
                verbose_name="détails",
            ),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        [
                            "created",
                            "generated",
                            "imported",
                            "assigned",
                            "cancelled",
                            "issued_as_replacement",
                            "expired",
                            "redeemed",
                            "redemption_undone",
                            "reimbursed",
                            "issued",
                            "passes_replaced",
                            "printed",
                            "prescribed",
                            "rejected",
                            "withdrawn",
                            "undone",
                            "completed",
                            "validated",
                            "paid",
                            "sepa_exported",
                        ],
                    )
                ),
                name="journal_action_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        (
                            "action__in",
                            [
                                "generated",
                                "imported",
                                "assigned",
                                "cancelled",
                                "issued_as_replacement",
                                "expired",
                                "redeemed",
                                "redemption_undone",
                                "reimbursed",
                            ],
                        ),
                        ("subject_type", "pass"),
                    ),
                    models.Q(
                        ("action__in", ["issued", "passes_replaced", "printed"]),
                        ("subject_type", "checkbook"),
                    ),
                    models.Q(
                        ("action__in", ["created", "prescribed", "rejected", "withdrawn"]),
                        ("subject_type", "referral"),
                    ),
                    models.Q(("action__in", ["created"]), ("subject_type", "prescription")),
                    models.Q(("action__in", ["created"]), ("subject_type", "beneficiary")),
                    models.Q(("action__in", ["created", "undone"]), ("subject_type", "session")),
                    models.Q(
                        (
                            "action__in",
                            ["created", "completed", "validated", "paid", "sepa_exported"],
                        ),
                        ("subject_type", "statement"),
                    ),
                    _connector="OR",
                ),
                name="journal_action_of_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("subject_type", "pass"), _negated=True),
                    models.Q(("after", ""), _negated=True),
                    _connector="OR",
                ),
                name="journal_pass_move_has_after",
            ),
        ),
        migrations.AddConstraint(
            model_name="journalnote",
            constraint=models.CheckConstraint(
                condition=models.Q(("erased_at__isnull", True), ("text", ""), _connector="OR"),
                name="journal_note_erased",
            ),
        ),
    ]
