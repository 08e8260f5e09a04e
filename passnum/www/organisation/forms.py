from django import forms
from dsfr.forms import DsfrBaseForm


class ChooseMembershipForm(DsfrBaseForm):
    membership = forms.TypedChoiceField(
        label="Structure au nom de laquelle vous agissez",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez l'une de vos structures actives."},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.organisation.name} — {m.organisation.get_kind_display()}")
            for m in memberships
        ]
