"""Pass codes (docs/architecture.md « Le voyage d'un pass »): Crockford base 32, one check symbol
that catches every single substitution and every adjacent transposition, tolerant input. No
database here."""

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passnum.passes import codes
from passnum.passes.codes import ALPHABET, MalformedCode

QUICK = settings(max_examples=200, database=None, deadline=None)

payloads = st.text(alphabet=ALPHABET, min_size=codes.PAYLOAD_LENGTH, max_size=codes.PAYLOAD_LENGTH)
valid_codes = payloads.map(lambda payload: payload + codes.check_symbol(payload))

# A few fixed codes for the exhaustive loops, including the examples a person reads.
FIXED_CODES = [
    "K7QM9T2DXH47",  # the example of the error message
    "000000000000",  # all zero: the check symbol of a zero payload is 0
    "ZZZZZZZZZZZ" + codes.check_symbol("ZZZZZZZZZZZ"),
    "0123456789A" + codes.check_symbol("0123456789A"),
    "BCDEFGHJKMN" + codes.check_symbol("BCDEFGHJKMN"),
]


def refused(text: str) -> bool:
    """True when ``normalise`` refuses ``text`` with MalformedCode."""
    try:
        codes.normalise(text)
    except MalformedCode:
        return True
    return False


def test_alphabet_is_crockford_base32():
    assert len(ALPHABET) == 32
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert set(ALPHABET) <= set(string.digits + string.ascii_uppercase)


def test_the_example_of_the_error_message_is_a_valid_code():
    example = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", MalformedCode.message).group(0)
    assert codes.normalise(example) == example.replace("-", "")


def test_malformed_code_is_an_invalid_input_with_a_french_message():
    error = MalformedCode()
    assert error.code == "malformed_code"
    assert "n'est pas valide" in error.message


def test_generate_yields_twelve_symbols_of_the_alphabet():
    seen = set()
    for _ in range(500):
        code = codes.generate()
        assert len(code) == codes.LENGTH == 12
        assert set(code) <= set(ALPHABET)
        assert codes.is_valid(code)
        assert codes.normalise(code) == code
        seen.add(code)
    assert len(seen) == 500  # 55 random bits: no collision in 500 draws


def test_display_groups_by_four():
    assert codes.display("K7QM9T2DXH47") == "K7QM-9T2D-XH47"


@QUICK
@given(valid_codes)
def test_round_trip_generate_display_normalise(code):
    shown = codes.display(code)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", shown)
    assert codes.normalise(shown) == code
    assert codes.normalise(code) == code


@QUICK
@given(valid_codes, st.lists(st.sampled_from([" ", "-", "  ", "\t", " - "]), min_size=12))
def test_normalise_tolerates_case_spaces_and_dashes(code, separators):
    typed = "".join(sep + symbol.lower() for sep, symbol in zip(separators, code, strict=False))
    assert codes.normalise(typed + separators[-1]) == code
    assert codes.normalise(f"  {codes.display(code).lower()}  ") == code


@QUICK
@given(valid_codes, st.data())
def test_normalise_reads_look_alikes(code, data):
    """O is read as 0, I and L as 1, in either case."""
    typed = []
    for symbol in code:
        if symbol == "0":
            typed.append(data.draw(st.sampled_from(["0", "O", "o"])))
        elif symbol == "1":
            typed.append(data.draw(st.sampled_from(["1", "I", "i", "L", "l"])))
        else:
            typed.append(symbol)
    assert codes.normalise("".join(typed)) == code


def test_look_alikes_on_a_fixed_code():
    assert codes.normalise("ooo0-oooo-oooo") == "000000000000"
    code = "1111111111" + "1" + codes.check_symbol("11111111111")
    assert codes.normalise("ILil-1111-111" + code[-1].lower()) == code


@QUICK
@given(valid_codes, st.integers(0, codes.LENGTH - 1), st.integers(1, 31))
def test_every_single_substitution_is_refused(code, position, shift):
    other = ALPHABET[(ALPHABET.index(code[position]) + shift) % 32]
    assert other != code[position]
    mistyped = code[:position] + other + code[position + 1 :]
    assert not codes.is_valid(mistyped)
    assert refused(mistyped)
    assert refused(codes.display(mistyped))


@QUICK
@given(valid_codes, st.integers(0, codes.LENGTH - 2))
def test_every_adjacent_transposition_is_refused(code, position):
    a, b = code[position], code[position + 1]
    if a == b:  # swapping two equal symbols changes nothing
        assert codes.is_valid(code)
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not codes.is_valid(swapped)
    assert refused(swapped)


@pytest.mark.parametrize("code", FIXED_CODES)
def test_exhaustive_substitutions_of_fixed_codes(code):
    assert codes.is_valid(code)
    tried = 0
    for position in range(codes.LENGTH):
        for other in ALPHABET:
            if other == code[position]:
                continue
            mistyped = code[:position] + other + code[position + 1 :]
            assert not codes.is_valid(mistyped), (position, other)
            assert refused(mistyped), (position, other)
            tried += 1
    assert tried == 12 * 31


@pytest.mark.parametrize("code", FIXED_CODES)
def test_exhaustive_adjacent_transpositions_of_fixed_codes(code):
    swaps = 0
    for position in range(codes.LENGTH - 1):
        a, b = code[position], code[position + 1]
        if a != b:
            assert refused(code[:position] + b + a + code[position + 2 :]), position
            swaps += 1
    assert swaps > 0 or len(set(code)) == 1


def test_exhaustive_transpositions_of_every_pair_of_symbols():
    """Every pair of two different neighbours, at every position, is caught."""
    checked = 0
    for position in range(codes.PAYLOAD_LENGTH - 1):  # both symbols in the payload
        for a in ALPHABET:
            for b in ALPHABET:
                if a != b:
                    payload = "0" * position + a + b + "0" * (codes.PAYLOAD_LENGTH - position - 2)
                    code = payload + codes.check_symbol(payload)
                    swapped = code[:position] + b + a + code[position + 2 :]
                    assert not codes.is_valid(swapped), (position, a, b)
                    checked += 1
    pairs = set()
    for first in ALPHABET:  # the last payload symbol and the check symbol
        for last in ALPHABET:
            payload = first + "0" * (codes.PAYLOAD_LENGTH - 2) + last
            code = payload + codes.check_symbol(payload)
            if code[-2] != code[-1]:
                assert not codes.is_valid(code[:-2] + code[-1] + code[-2]), code
                pairs.add(code[-2:])
    assert checked == 10 * 32 * 31
    assert len(pairs) > 900  # nearly every (symbol, check symbol) pair occurs


@QUICK
@given(valid_codes, st.integers(1, 11))
def test_wrong_lengths_are_refused(code, cut):
    assert refused(code[:-cut])
    assert refused(code[:cut])
    assert refused(code + code[:cut])
    assert refused(code + "0")  # a trailing 0 keeps the sum at zero: the length still counts


@QUICK
@given(
    valid_codes,
    st.integers(0, codes.LENGTH - 1),
    st.sampled_from(["U", "u", ".", ",", "_", "/", "+", "*", "#", "'", ":", "!", "?"]),
)
def test_u_and_punctuation_are_refused(code, position, bad):
    assert refused(code[:position] + bad + code[position + 1 :])
    assert refused(code[:position] + bad + code[position:])


@pytest.mark.parametrize("text", ["", None, "   ", "----", "K7QM-9T2D-XH4", "K7QM-9T2D-XH477"])
def test_empty_and_short_or_long_inputs_are_refused(text):
    assert refused(text)
