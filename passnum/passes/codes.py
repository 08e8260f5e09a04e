"""Pass codes: generation, normalisation and the check symbol.

A code is 11 random symbols of Crockford's base 32 (55 bits) followed by one check symbol,
printed in three groups of four (« K7QM-9T2D-XH47 »). Input is case-insensitive, ignores spaces
and dashes, and reads the look-alikes O as 0 and I, L as 1; U is not a symbol.

The check symbol makes the weighted sum of the twelve symbols, taken as elements of the field
GF(32) with weights α⁰…α¹¹ (α a primitive element), equal to zero. Changing one symbol adds
αⁱ·e ≠ 0 to that sum, and swapping two different neighbours a, b adds αⁱ·(1+α)·(a+b) ≠ 0, so every
single substitution and every adjacent transposition (the check symbol included) is detected,
and the check symbol stays one of the 32 printable symbols.
"""

import secrets

from passnum.common.exceptions import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
PAYLOAD_LENGTH = 11
LENGTH = PAYLOAD_LENGTH + 1
GROUP = 4

# GF(32) with the primitive polynomial x⁵ + x² + 1; α = x.
_EXP = [0] * 62
_LOG = [0] * 32
_value = 1
for _power in range(31):
    _EXP[_power] = _EXP[_power + 31] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0b100000:
        _value ^= 0b100101


def _multiply(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _weighted_sum(values) -> int:
    total = 0
    for position, value in enumerate(values):
        total ^= _multiply(_EXP[position], value)
    return total


class MalformedCode(InvalidInput):
    code = "malformed_code"
    message = (
        "Ce code de pass n'est pas valide : vérifiez chaque caractère "
        "(12 caractères, par exemple K7QM-9T2D-XH47)."
    )


def check_symbol(payload: str) -> str:
    """The check symbol that completes ``payload`` (11 symbols)."""
    partial = _weighted_sum(VALUES[s] for s in payload)
    # Solve partial + α¹¹·c = 0 (in characteristic 2, minus is plus).
    weight_log = PAYLOAD_LENGTH
    check = 0 if partial == 0 else _EXP[(_LOG[partial] - weight_log) % 31]
    return ALPHABET[check]


def generate() -> str:
    """A new random code, normalised (12 symbols, no dashes)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return payload + check_symbol(payload)


def is_valid(code: str) -> bool:
    return (
        len(code) == LENGTH
        and all(s in VALUES for s in code)
        and _weighted_sum(VALUES[s] for s in code) == 0
    )


def normalise(text: str) -> str:
    """The canonical form of a typed code, or ``MalformedCode`` before any lookup."""
    cleaned = "".join(str(text or "").split()).replace("-", "").upper().translate(LOOK_ALIKES)
    if not is_valid(cleaned):
        raise MalformedCode()
    return cleaned


def display(code: str) -> str:
    """« K7QM9T2DXH47 » → « K7QM-9T2D-XH47 »."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
