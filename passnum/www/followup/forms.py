"""Forms of « Pass non utilisés »: the reason filter and the day of the letters to print."""

from django import forms
from dsfr.forms import DsfrBaseForm

from passnum.referrals.enums import FollowUpReason

from ..shared.fields import date_field


class ReasonFilterForm(DsfrBaseForm):
    motif = forms.ChoiceField(
        label="Motif",
        required=False,
        choices=[("", "Tous les motifs"), *FollowUpReason.choices],
        error_messages={"invalid_choice": "Ce motif n'existe pas."},
    )


class LettersForm(DsfrBaseForm):
    jour = date_field("Date des relances", required=False)
