"""Forms of the statement pages: filter, generate, pay, SEPA transfer."""

import datetime

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from passnum.common.templatetags.passnum import euros
from passnum.statements.models import StatementStatus
from passnum.statements.periods import month_label, statement_number

from ..shared.fields import ServiceCharField, date_field

MONTHS_OFFERED = 12


def recent_months(today: datetime.date, count: int = MONTHS_OFFERED) -> list[datetime.date]:
    """The current month and the ``count - 1`` before it, most recent first."""
    month = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months


def month_choices(months) -> list[tuple[str, str]]:
    return [(f"{m:%Y-%m}", month_label(m).capitalize()) for m in months]


class StatementFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), *StatementStatus.choices],
        error_messages={"invalid_choice": "Ce statut n'existe pas."},
    )
    period = forms.ChoiceField(
        label="Mois",
        required=False,
        error_messages={"invalid_choice": "Aucun relevé pour ce mois."},
    )

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "Tous les mois"), *month_choices(months)]


class GenerateForm(DsfrBaseForm):
    period = forms.ChoiceField(
        label="Mois",
        help_text="Les pass encaissés jusqu'à la fin de ce mois et pas encore relevés.",
        error_messages={"invalid_choice": "Choisissez l'un des mois proposés."},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        months = recent_months(today)
        self.fields["period"].choices = month_choices(months)
        self.fields["period"].initial = f"{months[1]:%Y-%m}"  # last month


class PayForm(DsfrBaseForm):
    paid_on = date_field("Date du paiement", initial=timezone.localdate)
    reference = ServiceCharField(
        label="Référence du paiement",
        max_length=200,
        help_text="Par exemple la référence du virement (140 caractères au plus).",
    )


class SepaForm(DsfrBaseForm):
    statements = forms.MultipleChoiceField(
        label="Relevés validés à virer",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins un relevé validé.",
            "invalid_choice": "Ce relevé n'est pas (ou plus) à virer.",
        },
    )
    execution_date = date_field("Date d'exécution du virement", initial=timezone.localdate)
    reexport_reason = forms.CharField(
        label="Motif d'un nouveau virement",
        help_text="Seulement pour produire à nouveau le virement d'un relevé déjà exporté.",
        required=False,
        max_length=500,
    )

    def __init__(self, *args, validated, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statements"].choices = [
            (
                str(s.pk),
                f"n° {statement_number(s)} — {s.organisation.name} — {month_label(s.period)} — "
                f"{euros(s.amount_cents)}"
                + (
                    f" — virement déjà produit le {timezone.localtime(s.exported_at):%d/%m/%Y}"
                    if s.exported_at
                    else ""
                ),
            )
            for s in validated
        ]
