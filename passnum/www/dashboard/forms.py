"""The filters of « Indicateurs »: the period, a public, a provider, a commune.

The parameters are those of ``GET /api/v1/stats`` (``from``, ``to``, ``public``,
``provider_id``, ``commune``), so that an address of the page can be shared and read as the
API's. The dates are checked by ``reporting.periods.parse_period`` (the view attaches its
message); every choice is one of those offered, anything else is refused in French.
"""

from django import forms
from dsfr.forms import DsfrBaseForm

from passnum.referential.enums import Public
from passnum.reporting.indicators import OUTSIDE_PRIORITY, Filters

from ..shared.fields import DateInput

OUTSIDE_PRIORITY_LABEL = "Hors public prioritaire"


def date_text(label: str) -> forms.CharField:
    # A text parsed by parse_period, which says in French what is wrong with it.
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=DateInput(),
        error_messages={"max_length": "Ce n'est pas une date (AAAA-MM-JJ)."},
    )


class IndicatorFilterForm(DsfrBaseForm):
    public = forms.ChoiceField(
        label="Public",
        required=False,
        choices=[
            ("", "Tous les publics"),
            *Public.choices,
            (OUTSIDE_PRIORITY, OUTSIDE_PRIORITY_LABEL),
        ],
        error_messages={"invalid_choice": "Ce public n'existe pas."},
    )
    provider_id = forms.ChoiceField(
        label="Structure de médiation",
        required=False,
        error_messages={
            "invalid_choice": "Cette structure n'est pas une structure de médiation du programme."
        },
    )
    commune = forms.ChoiceField(
        label="Commune de la personne",
        required=False,
        error_messages={"invalid_choice": "Cette commune n'est pas une commune du territoire."},
    )

    def __init__(self, *args, providers, communes, **kwargs):
        super().__init__(*args, **kwargs)
        # « from » is a Python keyword: the dates are added here, first.
        self.fields = {
            "from": date_text("Du"),
            "to": date_text("Au"),
            **self.fields,
        }
        self.fields["provider_id"].choices = [
            ("", "Toutes les structures"),
            *((str(p.pk), p.name) for p in providers),
        ]
        self.fields["commune"].choices = [
            ("", "Toutes les communes"),
            *((c.insee_code, f"{c.name} ({c.insee_code})") for c in communes),
        ]

    def filters(self) -> Filters:
        data = self.cleaned_data
        provider = data.get("provider_id")
        return Filters(
            public=data.get("public") or None,
            commune=data.get("commune") or None,
            provider_id=int(provider) if provider else None,
        )

    def labels(self) -> list[str]:
        """The filters chosen, in words (« public : Bénéficiaire du rSa »)."""
        labels = []
        for name, prefix in (("public", "public"), ("provider_id", "structure"), ("commune", "")):
            value = self.cleaned_data.get(name)
            if value:
                label = dict(self.fields[name].choices)[value]
                labels.append(f"{prefix} : {label}" if prefix else f"personnes de {label}")
        return labels

    @property
    def any(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
