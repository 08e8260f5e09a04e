"""Form of a training path and its modules."""

from django import forms
from dsfr.forms import DsfrBaseForm

from passnum.referential.enums import Public, Service

from ..providers.forms import multiple
from ..shared.fields import ServiceCharField, ServiceMultipleChoiceField

MODULE_ROWS = 6


class PathForm(DsfrBaseForm):
    name = ServiceCharField(label="Nom du parcours")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    services = ServiceMultipleChoiceField(
        label="Services couverts",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Au moins un. Un lieu ne peut proposer le parcours que s'il offre tous ces "
        "services.",
        error_messages={"invalid_choice": "Ce service n'existe pas."},
    )
    target_publics = multiple("Publics visés", Public.choices)
    is_active = forms.BooleanField(
        label="Parcours proposé",
        required=False,
        help_text="Décochez pour ne plus le proposer : les lieux qui l'offrent le gardent.",
    )

    def __init__(self, *args, rows: int = MODULE_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = max(rows, MODULE_ROWS)
        for row in range(1, self.rows + 1):
            self.fields[f"module_{row}_title"] = forms.CharField(
                label=f"Intitulé du module {row}", required=False
            )
            self.fields[f"module_{row}_hours"] = forms.CharField(
                label=f"Durée du module {row} (heures)",
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )

    @property
    def module_rows(self):
        return [
            (self[f"module_{row}_title"], self[f"module_{row}_hours"])
            for row in range(1, self.rows + 1)
        ]

    def modules(self) -> list[tuple[str, str]]:
        """The rows typed; empty rows ignored."""
        rows = []
        for row in range(1, self.rows + 1):
            title = self.cleaned_data.get(f"module_{row}_title", "").strip()
            hours = self.cleaned_data.get(f"module_{row}_hours", "").strip()
            if title or hours:
                rows.append((title, hours))
        return rows

    @classmethod
    def initial_of(cls, path) -> dict:
        initial = {
            "name": path.name,
            "description": path.description,
            "services": path.services,
            "target_publics": path.target_publics,
            "is_active": path.is_active,
        }
        for row, module in enumerate(path.modules.all(), start=1):
            initial[f"module_{row}_title"] = module.title
            initial[f"module_{row}_hours"] = str(module.hours)
        return initial
