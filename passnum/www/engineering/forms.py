"""The form of an engineering expense: the amount is typed in euros, the service checks it in
cents."""

import re

from django import forms
from dsfr.forms import DsfrBaseForm

from ..shared.fields import ServiceCharField, date_field

# « 1250 », « 1 250 », « 149,90 », « 149.9 », « 1 250,00 € »: ASCII digits only (« ² » is a
# digit for str.isdigit(), not for int()).
EUROS = re.compile(r"([0-9]+)(?:[.,]([0-9]{1,2}))?")
SPACES = str.maketrans("", "", " \u00a0\u202f€")
AMOUNT_HELP = "En euros, par exemple 1 250 ou 149,90."


def cents_of(text: str) -> int | None:
    """« 1 250,5 » → 125050; ``None`` when it is not an amount in euros."""
    match = EUROS.fullmatch(text.translate(SPACES))
    if match is None:
        return None
    units, decimals = match.groups()
    return int(units) * 100 + int((decimals or "0").ljust(2, "0"))


class ExpenseForm(DsfrBaseForm):
    spent_on = date_field("Date de la dépense")
    label = ServiceCharField(label="Objet", help_text="Ce qui a été acheté ou réalisé.")
    amount = forms.CharField(
        label="Montant",
        help_text=AMOUNT_HELP,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": "Indiquez le montant de la dépense."},
    )
    supplier = forms.CharField(label="Fournisseur", required=False)
    reference = forms.CharField(
        label="Référence", required=False, help_text="Facture, bon de commande…"
    )

    def clean_amount(self) -> int:
        cents = cents_of(self.cleaned_data["amount"])
        if cents is None:
            raise forms.ValidationError(f"Le montant n'est pas un montant valide. {AMOUNT_HELP}")
        return cents
