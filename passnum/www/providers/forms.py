"""Forms of the providers' pages (accreditation, bank details, places) and of the paths.

They only parse what was typed; the services check the rules and their messages are attached to
these fields.
"""

from django import forms
from dsfr.forms import DsfrBaseForm

from passnum.providers.models import AccreditationStatus, PlaceAccess, SupportMode
from passnum.providers.services import DECISION_TARGETS
from passnum.referential.enums import Public, Service
from passnum.territories.forms import CommuneField

from ..shared.fields import ServiceCharField, ServiceMultipleChoiceField


class BankDetailsForm(DsfrBaseForm):
    account_holder = ServiceCharField(label="Titulaire du compte")
    iban = ServiceCharField(
        label="IBAN",
        help_text="Ex. FR76 3000 6000 0112 3456 7890 189 (les espaces sont acceptés).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = ServiceCharField(
        label="BIC",
        help_text="8 ou 11 caractères, ex. AGRIFRPP.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def multiple(label, choices, help_text="", **kwargs):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
        error_messages={"invalid_choice": "Ce choix n'existe pas."},
        **kwargs,
    )


class PlaceForm(DsfrBaseForm):
    name = ServiceCharField(label="Nom du lieu")
    address = forms.CharField(label="Adresse", required=False)
    commune = CommuneField(error_messages={"required": "Indiquez la commune du lieu."})
    latitude = forms.CharField(
        label="Latitude",
        required=False,
        help_text="Laissez vide pour reprendre celle de la commune (ex. 44.51805).",
    )
    longitude = forms.CharField(
        label="Longitude",
        required=False,
        help_text="Laissez vide pour reprendre celle de la commune (ex. 3.50114).",
    )
    services = ServiceMultipleChoiceField(
        label="Services proposés",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Au moins un.",
        error_messages={"invalid_choice": "Ce service n'existe pas."},
    )
    publics = multiple("Publics spécifiquement adressés", Public.choices)
    opening_hours = forms.CharField(
        label="Horaires",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00 » (500 caractères "
        "au plus).",
    )
    is_itinerant = forms.BooleanField(
        label="Lieu itinérant", required=False, help_text="Un bus, une permanence tournante…"
    )
    access_modes = multiple("Modalités d'accès", PlaceAccess.choices)
    support_modes = multiple("Modalités d'accompagnement", SupportMode.choices)
    phone = forms.CharField(
        label="Téléphone",
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
        help_text="Ex. 04 66 00 00 00.",
    )
    email = forms.CharField(
        label="Courriel",
        required=False,
        widget=forms.EmailInput(),
        help_text="Ex. lieu@exemple.fr.",
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].department_code = programme.territory_code

    @classmethod
    def initial_of(cls, place) -> dict:
        fields = [
            "name",
            "address",
            "services",
            "publics",
            "opening_hours",
            "is_itinerant",
            "access_modes",
            "support_modes",
            "phone",
            "email",
        ]
        initial = {name: getattr(place, name) for name in fields}
        initial["commune"] = place.commune.insee_code
        initial["latitude"] = "" if place.latitude is None else str(place.latitude)
        initial["longitude"] = "" if place.longitude is None else str(place.longitude)
        return initial


class OfferForm(DsfrBaseForm):
    path = forms.TypedChoiceField(
        label="Parcours",
        coerce=int,
        error_messages={
            "required": "Choisissez un parcours.",
            "invalid_choice": "Ce parcours n'est pas proposé.",
        },
    )

    def __init__(self, *args, paths, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["path"].choices = [("", "Choisir un parcours")] + [
            (p.pk, p.name) for p in paths
        ]


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("", "Choisir une décision")] + [(s.value, s.label) for s in DECISION_TARGETS],
        required=False,
        error_messages={"invalid_choice": "Cette décision n'existe pas."},
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire sauf pour habiliter : la structure le lira.",
    )

    def __init__(self, *args, allowed=None, **kwargs):
        """``allowed``: the decisions the current status permits (the ones shown)."""
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["decision"].choices = [("", "Choisir une décision")] + [
                (s.value, s.label) for s in DECISION_TARGETS if s in allowed
            ]


class ProviderFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut de l'habilitation",
        required=False,
        choices=[("", "Tous les statuts"), *AccreditationStatus.choices],
        error_messages={"invalid_choice": "Ce statut n'existe pas."},
    )
