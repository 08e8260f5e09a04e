from django import forms
from django.core.exceptions import ValidationError

from .exceptions import AmbiguousCommune, UnknownCommune
from .selectors import resolve_commune


class CommuneField(forms.CharField):
    """A text input that accepts an INSEE code, a name or a postal code, and cleans to the
    ``Commune`` of the programme's territory (``department_code`` set by the form)."""

    def __init__(self, *, department_code: str | None = None, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault(
            "help_text", "Nom, code postal ou code INSEE (ex. « Mende » ou « 48000 Mende »)."
        )
        super().__init__(**kwargs)
        self.department_code = department_code

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return resolve_commune(text, self.department_code)
        except (UnknownCommune, AmbiguousCommune) as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
