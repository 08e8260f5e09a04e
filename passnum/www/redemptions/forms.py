"""Forms of « Encaisser des pass » and of the undo of a session.

They only parse; the rules (date, duration, services, codes) are the redemption service's,
whose errors the views attach to these fields — a refused code to its own field.
"""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from passnum.common.ids import typed_id
from passnum.redemptions.models import PlaceType, SessionKind
from passnum.referential.enums import Service

from ..shared.fields import ServiceCharField, date_field

DEFAULT_CODE_FIELDS = 5
MAX_CODE_FIELDS = 50
DURATIONS = [(60 * h, f"{h} h") for h in range(1, 9)]


def code_field_name(number: int) -> str:
    return f"code_{number}"


def code_fields_count(*sources) -> int:
    """How many code fields to show: 5, more when asked (``?nombre=``) or posted."""
    count = DEFAULT_CODE_FIELDS
    for source in sources:
        numbers = [source.get("nombre", "")]
        numbers += [key.removeprefix("code_") for key in source if key.startswith("code_")]
        for number in numbers:
            count = max(count, typed_id(number) or 0)
    return min(count, MAX_CODE_FIELDS)


class RedeemForm(DsfrBaseForm):
    """« Encaisser des pass »: the session, then one field per pass code."""

    date = date_field("Date de la séance", initial=timezone.localdate)
    duration_minutes = forms.TypedChoiceField(
        label="Durée de la séance",
        choices=DURATIONS,
        coerce=int,
        initial=60,
        help_text="Un pass par heure et par personne.",
        error_messages={
            "required": "Indiquez la durée de la séance.",
            "invalid_choice": "La durée doit être comprise entre 1 heure et 8 heures.",
        },
    )
    path = forms.ModelChoiceField(
        label="Parcours suivi",
        queryset=None,
        required=False,
        empty_label="Aucun parcours : je coche les services",
        help_text="Facultatif : ses services sont alors retenus.",
        error_messages={"invalid_choice": "Ce parcours n'est pas proposé."},
    )
    services = forms.MultipleChoiceField(
        label="Services abordés",
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Au moins un, sauf si vous avez choisi un parcours.",
        error_messages={"invalid_choice": "Ce service n'existe pas."},
    )
    place_type = forms.ChoiceField(
        label="Lieu de la séance",
        choices=PlaceType.choices,
        initial=PlaceType.OWN_SITE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez où la séance a eu lieu.",
            "invalid_choice": "Ce lieu de séance n'existe pas.",
        },
    )
    place = forms.ModelChoiceField(
        label="Site de la structure",
        queryset=None,
        required=False,
        empty_label="Non précisé",
        help_text="Facultatif.",
        error_messages={"invalid_choice": "Ce lieu n'est pas un lieu de votre structure."},
    )
    kind = forms.ChoiceField(
        label="Type de séance",
        choices=SessionKind.choices,
        initial=SessionKind.INDIVIDUAL,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez le type de séance.",
            "invalid_choice": "Ce type de séance n'existe pas.",
        },
    )

    def __init__(self, *args, paths, places, code_fields=DEFAULT_CODE_FIELDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["path"].queryset = paths
        self.fields["place"].queryset = places
        if not places.exists():
            del self.fields["place"]
        for number in range(1, code_fields + 1):
            self.fields[code_field_name(number)] = forms.CharField(
                label=f"Code du pass {number}",
                required=False,
                max_length=40,
                help_text="12 caractères, par exemple K7QM-9T2D-XH47 (majuscules, minuscules "
                "et espaces acceptés)."
                if number == 1
                else "",
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "off",
                        "autocapitalize": "characters",
                        "spellcheck": "false",
                        "class": "fr-input passnum-code",
                        "data-scan": "",
                    }
                ),
            )
        self.code_names = [code_field_name(n) for n in range(1, code_fields + 1)]

    @property
    def code_fields(self):
        return [self[name] for name in self.code_names]

    @property
    def session_fields(self):
        return [self[name] for name in self.fields if name not in self.code_names]

    def typed_codes(self) -> list[tuple[str, str]]:
        """``(field name, code as typed)`` of the filled code fields, in order."""
        found = []
        for name in self.code_names:
            value = (self.cleaned_data.get(name) or "").strip()
            if value:
                found.append((name, value))
        return found


class UndoForm(DsfrBaseForm):
    reason = ServiceCharField(
        label="Motif de l'annulation",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : mauvaise date, pass saisis par erreur. Le motif est conservé.",
    )
