"""Form fields shared by the site's features.

The forms only parse what was typed; the business rules stay in the services, whose errors
the views attach to these fields.
"""

from django import forms

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CheckedByService:
    """A field the page shows as required, whose emptiness the service checks and explains
    (its message is then attached to the field): the form only parses."""

    def __init__(self, **kwargs):
        super().__init__(required=True, **kwargs)

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class ServiceCharField(CheckedByService, forms.CharField):
    pass


class ServiceMultipleChoiceField(CheckedByService, forms.MultipleChoiceField):
    pass


def date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=DateInput(),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": f"Indiquez la {label.lower()}.",
            "invalid": f"La {label.lower()} n'est pas une date valide (jj/mm/aaaa).",
        },
        **kwargs,
    )
