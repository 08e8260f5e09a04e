"""Rules on the people oriented: who may be recorded, and with which data."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from passnum.common.exceptions import InvalidInput

from .models import Beneficiary, age_on

MINIMUM_AGE = 16
NAME_MAX = 100
EMAIL_MAX = Beneficiary._meta.get_field("email").max_length  # 254, the column's
PHONE_RE = re.compile(r"^(?:\+33|0033|0)[1-9][0-9]{8}$")


@dataclass
class BeneficiaryData:
    """What a referrer types about a new person."""

    first_name: str
    last_name: str
    birth_date: datetime.date
    commune: object  # territories.Commune
    email: str = ""
    phone: str = ""
    notice_given_on: datetime.date | None = None


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", phone or "")


def check_birth_date(birth_date: datetime.date, today: datetime.date) -> int:
    """The person's age, or ``InvalidInput`` when the birth date is impossible or too recent."""
    if birth_date > today:
        raise InvalidInput(
            "La date de naissance ne peut pas être dans le futur.",
            code="invalid_birth_date",
            field="birth_date",
        )
    age = age_on(birth_date, today)
    if age < MINIMUM_AGE:
        raise InvalidInput(
            f"Le Pass numérique s'adresse aux personnes d'au moins {MINIMUM_AGE} ans "
            f"(cette personne a {age} ans).",
            code="too_young",
            field="birth_date",
        )
    if age > 120:
        raise InvalidInput(
            "La date de naissance semble erronée (plus de 120 ans).",
            code="invalid_birth_date",
            field="birth_date",
        )
    return age


def clean_beneficiary_data(data: BeneficiaryData, programme, today) -> BeneficiaryData:
    """Check and tidy what was typed; raise ``InvalidInput`` naming the first wrong field."""
    first_name = " ".join((data.first_name or "").split())
    last_name = " ".join((data.last_name or "").split())
    for value, field, label in (
        (first_name, "first_name", "le prénom"),
        (last_name, "last_name", "le nom"),
    ):
        if not value:
            raise InvalidInput(f"Indiquez {label}.", code="invalid_input", field=field)
        if len(value) > NAME_MAX:
            raise InvalidInput(
                f"{label.capitalize()} dépasse {NAME_MAX} caractères.",
                code="invalid_input",
                field=field,
            )
    check_birth_date(data.birth_date, today)
    if data.commune.department_code != programme.territory_code:
        raise InvalidInput(
            f"{data.commune.name} n'est pas sur le territoire du programme "
            f"(département {programme.territory_code}).",
            code="commune_outside_territory",
            field="commune",
        )
    email = (data.email or "").strip()
    if len(email) > EMAIL_MAX:  # Django's validator lets up to 320 characters through
        raise InvalidInput(
            f"L'adresse de courriel dépasse {EMAIL_MAX} caractères.",
            code="invalid_input",
            field="email",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                "L'adresse de courriel n'est pas valide.", code="invalid_input", field="email"
            ) from None
    phone = normalise_phone(data.phone)
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput(
            "Le numéro de téléphone n'est pas valide (10 chiffres, par exemple 04 66 00 00 00).",
            code="invalid_input",
            field="phone",
        )
    notice = data.notice_given_on or today
    if notice > today or notice < data.birth_date:
        raise InvalidInput(
            "La date de remise de la notice d'information ne peut pas être "
            + ("dans le futur." if notice > today else "antérieure à la naissance."),
            code="invalid_input",
            field="notice_given_on",
        )
    return BeneficiaryData(
        first_name=first_name,
        last_name=last_name,
        birth_date=data.birth_date,
        commune=data.commune,
        email=email,
        phone=phone,
        notice_given_on=notice,
    )


def create_beneficiary(actor, data: BeneficiaryData) -> Beneficiary:
    """Record a person (``data`` already cleaned), inside the caller's transaction."""
    return Beneficiary.objects.create(
        programme=actor.programme,
        first_name=data.first_name,
        last_name=data.last_name,
        birth_date=data.birth_date,
        commune=data.commune,
        email=data.email,
        phone=data.phone,
        notice_given_on=data.notice_given_on,
        created_by=actor.user,
        created_by_organisation=actor.organisation,
    )
