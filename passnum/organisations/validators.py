import re

from django.core.exceptions import ValidationError

SIRET_RE = re.compile(r"[0-9]{14}")

LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits with a Luhn key (La Poste's establishments: digit sum ÷ 5)."""
    if not SIRET_RE.fullmatch(value):  # not str.isdigit(): « ² » is one, int() refuses it
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_format")
    if value.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in value) % 5 == 0
    else:
        valid = luhn_valid(value)
    if not valid:
        raise ValidationError(
            "Ce SIRET n'est pas valide : vérifiez les 14 chiffres (clé de contrôle incorrecte).",
            code="siret_checksum",
        )


def normalise_siret(value: str) -> str:
    return "".join((value or "").split())
