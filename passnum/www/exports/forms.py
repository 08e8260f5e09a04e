"""The form of the « Exports » page: which export, which format, which period."""

from django import forms
from dsfr.forms import DsfrBaseForm

from passnum.reporting.enums import ExportFormat

from ..shared.fields import DateInput


class ExportForm(DsfrBaseForm):
    """Parses only; the period is read by ``reporting.periods.parse_period`` (its French
    messages go to the « from » and « to » fields)."""

    name = forms.ChoiceField(
        label="Export",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez un export.",
            "invalid_choice": "Cet export n'existe pas ou ne vous est pas ouvert.",
        },
    )
    format = forms.ChoiceField(
        label="Format",
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
        help_text="Le CSV s'ouvre dans un tableur réglé en français (séparateur « ; »).",
        error_messages={
            "required": "Choisissez un format.",
            "invalid_choice": "Ce format n'existe pas.",
        },
    )

    def __init__(self, *args, exports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [(export.name.value, export.label) for export in exports]
        if len(exports) == 1:
            self.fields["name"].initial = exports[0].name.value
        # « from » and « to », as the API names them (Python keeps ``from`` for itself).
        self.fields["from"] = forms.CharField(
            label="Du",
            required=False,
            max_length=10,
            widget=DateInput(),
            help_text="Premier jour de la période (inclus). Vide : depuis le début.",
        )
        self.fields["to"] = forms.CharField(
            label="Au",
            required=False,
            max_length=10,
            widget=DateInput(),
            help_text="Dernier jour de la période (inclus). Vide : jusqu'à aujourd'hui.",
        )
