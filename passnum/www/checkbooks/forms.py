"""Form of the checkbook page: declare lost or stolen passes."""

from django import forms
from dsfr.forms import DsfrBaseForm

from ..shared.fields import ServiceCharField, ServiceMultipleChoiceField


class LostPassesForm(DsfrBaseForm):
    """« Déclarer des pass perdus ou volés »: the unused passes of one checkbook."""

    serials = ServiceMultipleChoiceField(
        label="Pass perdus ou volés",
        widget=forms.CheckboxSelectMultiple,
        help_text="Seuls les pass attribués et pas encore utilisés peuvent être remplacés.",
        error_messages={"invalid_choice": "Ce pass n'est pas un pass inutilisé du chéquier."},
    )
    reason = ServiceCharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : chéquier perdu, pass volés.",
    )

    def __init__(self, *args, unused_serials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["serials"].choices = [(s, s) for s in unused_serials]
