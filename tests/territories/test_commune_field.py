import pytest
from django import forms

from passnum.territories.forms import CommuneField


class Form(forms.Form):
    commune = CommuneField(department_code="48")


@pytest.mark.parametrize(
    ("text", "insee"), [("Mende", "48095"), ("48000 mende", "48095"), ("48092", "48092")]
)
def test_commune_field_resolves(communes, text, insee):
    form = Form({"commune": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == insee


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Rodez", "Aucune commune du territoire ne correspond à « Rodez »."),
        ("48000", "Plusieurs communes correspondent à « 48000 »"),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_commune_field_explains_in_french(communes, text, message):
    form = Form({"commune": text})
    assert not form.is_valid()
    assert message in form.errors["commune"][0]
