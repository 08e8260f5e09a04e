"""Forms of the orientation and prescription pages.

They only parse what was typed (dates, commune, checkboxes); the business rules (age, territory,
publics, needs, reasons) stay in the services, whose errors the views attach to these fields.
"""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from passnum.common.ids import typed_id
from passnum.referential.enums import Public, Service
from passnum.referrals.enums import ReferralStatus
from passnum.territories.forms import CommuneField

from ..shared.fields import ServiceCharField, ServiceMultipleChoiceField, date_field

NEW_PERSON = "autre"


class ReferralForm(DsfrBaseForm):
    """« Orienter une personne »: the person, the notice, the publics and the needs."""

    first_name = ServiceCharField(
        label="Prénom", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = ServiceCharField(
        label="Nom", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    birth_date = date_field("Date de naissance")
    commune = CommuneField(
        label="Commune de résidence",
        error_messages={"required": "Indiquez la commune de résidence."},
    )
    email = forms.EmailField(
        label="Courriel",
        required=False,
        help_text="Pour les rappels avant la fin de validité des pass.",
        error_messages={"invalid": "L'adresse de courriel n'est pas valide."},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Téléphone",
        required=False,
        help_text="Pour les rappels avant la fin de validité des pass (ex. 04 66 00 00 00).",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    notice_given_on = date_field(
        "Date de remise de la notice d'information", initial=timezone.localdate
    )
    notice_given = forms.BooleanField(
        label="J'ai remis la notice d'information à la personne",
        help_text="Elle explique quelles données sont enregistrées, qui les voit et ses droits.",
        error_messages={
            "required": "Remettez la notice d'information à la personne avant de l'orienter, "
            "puis cochez la case."
        },
    )
    publics = forms.MultipleChoiceField(
        label="Publics prioritaires",
        choices=Public.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez tous ceux qui concernent la personne. L'âge ajoute de lui-même "
        "« jeune de 16 à 25 ans » ou « plus de 60 ans ».",
        error_messages={"invalid_choice": "Ce public prioritaire n'existe pas."},
    )
    needs = ServiceMultipleChoiceField(
        label="Besoins",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Au moins un : ce que la personne veut apprendre.",
        error_messages={"invalid_choice": "Ce besoin n'existe pas."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui aidera le Département à instruire la demande.",
    )
    # Answer to the possible-duplicate question (radios written by the template).
    duplicate = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].department_code = programme.territory_code

    def clean_duplicate(self):
        value = self.cleaned_data["duplicate"].strip()
        if value and value != NEW_PERSON and typed_id(value) is None:
            raise forms.ValidationError("Choisissez l'une des personnes proposées.")
        return value

    @property
    def chosen_duplicate_id(self) -> int | None:
        return typed_id(self.cleaned_data.get("duplicate", ""))

    @property
    def confirms_new_person(self) -> bool:
        return self.cleaned_data.get("duplicate") == NEW_PERSON


class RejectForm(DsfrBaseForm):
    reason = ServiceCharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="La structure qui a orienté la personne lira ce motif.",
    )


class WithdrawForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du retrait",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatusFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), *ReferralStatus.choices],
        error_messages={"invalid_choice": "Ce statut n'existe pas."},
    )
