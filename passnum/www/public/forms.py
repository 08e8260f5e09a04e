"""Forms of the public pages printed on the checkbook: check my passes, where to use them.

They only parse what was typed; the pass lookup (check symbol, throttling) and the search for a
commune stay in the domain, whose French messages are shown on the fields.
"""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from passnum.referential.enums import Service
from passnum.territories.forms import CommuneField


class CheckPassForm(DsfrBaseForm):
    """« Vérifier mes pass »: the code printed on one pass."""

    code = forms.CharField(
        label="Code du pass",
        max_length=40,
        help_text="Les 12 caractères imprimés sur le pass, sous son QR code "
        "(ex. K7QM-9T2D-XH47). Majuscules, minuscules et tirets sont acceptés.",
        error_messages={
            "required": "Indiquez le code imprimé sur votre pass.",
            "max_length": "Un code de pass compte 12 caractères (ex. K7QM-9T2D-XH47).",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class TerritoryCommuneField(CommuneField):
    """A ``CommuneField`` over the departments of every programme of the instance.

    With one territory (the usual case) it is exactly ``CommuneField``; with several, the
    commune is searched in each and must be found in one department only.
    """

    def __init__(self, *, department_codes=(), **kwargs):
        super().__init__(**kwargs)
        self.department_codes = list(department_codes)

    def clean(self, value):
        if len(self.department_codes) <= 1:
            self.department_code = self.department_codes[0] if self.department_codes else None
            return super().clean(value)
        found, errors = [], []
        for code in self.department_codes:
            self.department_code = code
            try:
                commune = super().clean(value)
            except ValidationError as exc:
                errors.append(exc)
            else:
                found.append(commune)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(f"{c.name} ({c.insee_code})" for c in found)
            raise ValidationError(
                f"Plusieurs communes correspondent à « {value.strip()} » : {names}. "
                "Indiquez le code INSEE de la vôtre.",
                code="ambiguous_commune",
            )
        ambiguous = [e for e in errors if e.code == "ambiguous_commune"]
        raise (ambiguous or errors)[0]


class WhereForm(DsfrBaseForm):
    """« Où utiliser mes pass »: a commune and, optionally, a service (sent by GET).

    ``parcours`` is part of the printed address but paths do not exist yet: it is accepted in
    the query and ignored.
    """

    commune = TerritoryCommuneField(
        label="Votre commune",
        error_messages={"required": "Indiquez votre commune (nom, code postal ou code INSEE)."},
    )
    service = forms.ChoiceField(
        label="Ce que vous voulez apprendre",
        required=False,
        choices=[("", "Tous les services"), *Service.choices],
        error_messages={
            "invalid_choice": "Ce service n'existe pas : choisissez-en un de la liste."
        },
    )

    def __init__(self, *args, department_codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].department_codes = list(department_codes)
