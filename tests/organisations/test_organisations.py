import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from passnum.organisations.validators import validate_siret
from tests.factories import OrganisationFactory

VALID_SIRETS = ["73282932000074", "22148009500019", "35600000000001"]


@pytest.mark.parametrize("siret", VALID_SIRETS)
def test_valid_siret(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("7328293200007", "14 chiffres"),
        ("7328293200007A", "14 chiffres"),
        ("²" * 14, "14 chiffres"),  # passes str.isdigit(), not int()
        ("٧٣٢٨٢٩٣٢٠٠٠٠٧٥", "14 chiffres"),  # Arabic-Indic digits
        ("73282932000075", "clé de contrôle"),
        ("35600000000002", "clé de contrôle"),  # La Poste: digit sum must divide by 5
    ],
)
def test_invalid_siret(siret, message):
    with pytest.raises(ValidationError, match=message):
        validate_siret(siret)


def test_siret_is_optional_but_validated_when_given(programme):
    OrganisationFactory.build(programme=programme, siret="").full_clean()
    with pytest.raises(ValidationError) as excinfo:
        OrganisationFactory.build(programme=programme, siret="12345678901234").full_clean()
    assert "siret" in excinfo.value.message_dict


def test_siret_format_in_the_database(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(programme=programme, siret="1234")


def test_one_siret_per_kind_in_a_programme(programme):
    OrganisationFactory(programme=programme, referrer=True, siret=VALID_SIRETS[0])
    # the same legal entity may also be a provider (a Mission Locale that orients and trains)
    OrganisationFactory(programme=programme, provider=True, siret=VALID_SIRETS[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(programme=programme, referrer=True, siret=VALID_SIRETS[0])


def test_unknown_kind_is_refused_by_the_database(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(programme=programme, kind="admin")
