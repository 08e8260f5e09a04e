"""« Données ouvertes »: the month whose communes are shown (sent by GET)."""

from django import forms
from dsfr.forms import DsfrBaseForm

from passnum.statements.periods import month_label


class MonthForm(DsfrBaseForm):
    mois = forms.ChoiceField(
        label="Mois détaillé par commune",
        error_messages={
            "required": "Choisissez un mois de la liste.",
            "invalid_choice": "Ce mois n'est pas publié : choisissez-en un de la liste "
            "(le dernier mois publié est affiché).",
        },
    )

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mois"].choices = [(f"{m:%Y-%m}", month_label(m).capitalize()) for m in months]
