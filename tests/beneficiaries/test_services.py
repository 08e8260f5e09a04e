"""The people oriented: age, checks of what a referrer types, matching of possible duplicates."""

from datetime import date

import pytest

from passnum.beneficiaries.models import Beneficiary, age_on
from passnum.beneficiaries.selectors import same_identity
from passnum.beneficiaries.services import (
    BeneficiaryData,
    check_birth_date,
    clean_beneficiary_data,
    create_beneficiary,
    normalise_phone,
)
from passnum.common.exceptions import InvalidInput
from passnum.organisations.enums import OrganisationKind
from tests.factories import BeneficiaryFactory, CommuneFactory, ProgrammeFactory

TODAY = date(2026, 3, 2)


def data(**changes) -> BeneficiaryData:
    fields = {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birth_date": date(1980, 5, 17),
        "commune": CommuneFactory(),
    }
    fields.update(changes)
    return BeneficiaryData(**fields)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1980, 5, 17), date(2026, 5, 16), 45),
        (date(1980, 5, 17), date(2026, 5, 17), 46),
        (date(2010, 1, 1), date(2026, 1, 1), 16),
        (date(2010, 1, 2), date(2026, 1, 1), 15),
        # Born on 29 February: a year older on 1 March in common years.
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
    ],
)
def test_age_on(born, day, age):
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("born", "code"),
    [
        (date(2026, 3, 3), "invalid_birth_date"),
        (date(2010, 3, 3), "too_young"),  # 15 the day before the birthday
        (date(1905, 3, 1), "invalid_birth_date"),  # 121 years old
    ],
)
def test_check_birth_date_refusals(born, code):
    with pytest.raises(InvalidInput) as excinfo:
        check_birth_date(born, TODAY)
    assert excinfo.value.code == code
    assert excinfo.value.extra["field"] == "birth_date"


@pytest.mark.parametrize(("born", "age"), [(date(2010, 3, 2), 16), (date(1906, 3, 2), 120)])
def test_check_birth_date_limits(born, age):
    assert check_birth_date(born, TODAY) == age


def test_too_young_message_gives_the_age():
    with pytest.raises(InvalidInput) as excinfo:
        check_birth_date(date(2012, 1, 1), TODAY)
    assert "au moins 16 ans" in excinfo.value.message
    assert "14 ans" in excinfo.value.message


def test_clean_tidies_what_was_typed(programme):
    cleaned = clean_beneficiary_data(
        data(
            first_name="  Jeanne   Marie ",
            last_name=" Du   Pont ",
            email="  jeanne@exemple.fr ",
            phone="04.66.49-00 (00)",
        ),
        programme,
        TODAY,
    )
    assert (cleaned.first_name, cleaned.last_name) == ("Jeanne Marie", "Du Pont")
    assert cleaned.email == "jeanne@exemple.fr"
    assert cleaned.phone == "0466490000"
    assert cleaned.notice_given_on == TODAY  # given today unless told otherwise


@pytest.mark.parametrize("phone", ["+33466490000", "0033 4 66 49 00 00", "06 12 34 56 78", ""])
def test_accepted_phones(programme, phone):
    assert clean_beneficiary_data(data(phone=phone), programme, TODAY).phone == normalise_phone(
        phone
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "Indiquez le prénom."),
        ({"last_name": None}, "last_name", "Indiquez le nom."),
        ({"first_name": "J" * 101}, "first_name", "Le prénom dépasse 100 caractères."),
        ({"last_name": "D" * 101}, "last_name", "Le nom dépasse 100 caractères."),
        ({"email": "jeanne@"}, "email", "L'adresse de courriel n'est pas valide."),
        ({"phone": "0066490000"}, "phone", "Le numéro de téléphone n'est pas valide"),
        ({"phone": "04 66 49 00"}, "phone", "Le numéro de téléphone n'est pas valide"),
        (
            {"notice_given_on": date(2026, 3, 3)},
            "notice_given_on",
            "ne peut pas être dans le futur.",
        ),
        (
            {"notice_given_on": date(1980, 5, 16)},
            "notice_given_on",
            "ne peut pas être antérieure à la naissance.",
        ),
    ],
)
def test_clean_names_the_wrong_field(programme, changes, field, message):
    with pytest.raises(InvalidInput) as excinfo:
        clean_beneficiary_data(data(**changes), programme, TODAY)
    assert excinfo.value.extra["field"] == field
    assert message in excinfo.value.message


def test_a_commune_outside_the_territory_is_refused(programme):
    millau = CommuneFactory(insee_code="12145", name="Millau", department_code="12")
    with pytest.raises(InvalidInput) as excinfo:
        clean_beneficiary_data(data(commune=millau), programme, TODAY)
    assert excinfo.value.code == "commune_outside_territory"
    assert excinfo.value.message == (
        "Millau n'est pas sur le territoire du programme (département 48)."
    )


def test_create_beneficiary_records_who_created_it(programme, make_actor):
    referrer = make_actor(OrganisationKind.REFERRER)
    person = create_beneficiary(
        referrer, clean_beneficiary_data(data(last_name="Dupré-Noël"), programme, TODAY)
    )
    stored = Beneficiary.objects.get(pk=person.pk)
    assert stored.programme == programme
    assert stored.created_by == referrer.user
    assert stored.created_by_organisation == referrer.organisation
    assert stored.search_last_name == "dupre noel"
    assert stored.search_first_name == "jeanne"
    assert stored.notice_given_on == TODAY


def test_possible_duplicates_ignore_accents_case_and_punctuation(programme):
    helene = BeneficiaryFactory(
        programme=programme,
        first_name="Hélène",
        last_name="Dupré-Noël",
        birth_date=date(1970, 4, 2),
    )
    BeneficiaryFactory(  # another birth date
        programme=programme,
        first_name="Hélène",
        last_name="Dupré-Noël",
        birth_date=date(1970, 4, 3),
    )
    BeneficiaryFactory(  # another programme
        programme=ProgrammeFactory(),
        first_name="Hélène",
        last_name="Dupré-Noël",
        birth_date=date(1970, 4, 2),
    )
    for first, last in [
        ("HELENE", "DUPRE NOEL"),
        ("hélène", "dupré-noël"),
        (" Helene ", "Dupre  Noel"),
        ("Hélène", "Dupré'Noël"),
    ]:
        assert list(same_identity(programme, first, last, date(1970, 4, 2))) == [helene]
    assert not same_identity(programme, "Hélène", "Dupré", date(1970, 4, 2)).exists()
    assert not same_identity(programme, "Helena", "Dupré-Noël", date(1970, 4, 2)).exists()
