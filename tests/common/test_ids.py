"""Numbers typed by people (``passnum.common.ids``). No database here."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passnum.common.ids import MAX_ID, typed_id


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1", 1),
        (" 42 ", 42),
        ("007", 7),
        (12, 12),
        (str(MAX_ID), MAX_ID),
        ("0" * 40 + "5", 5),
    ],
)
def test_a_typed_number_is_read(typed, number):
    assert typed_id(typed) == number


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "0",
        "-1",
        "+1",
        "1.0",
        "1e3",
        "²",  # passes str.isdigit(), not int()
        "1²",
        "٣",  # an Arabic-Indic digit: int() reads it, a person did not type 3
        "１２",  # full-width digits
        "12 34",
        "0x10",
        "quatre",
        str(MAX_ID + 1),  # beyond a 64-bit id
        "9" * 400,
    ],
)
def test_anything_else_is_none(typed):
    assert typed_id(typed) is None


@settings(max_examples=300, database=None, deadline=None)
@given(st.one_of(st.text(), st.integers().map(str), st.integers()))
def test_never_raises_and_stays_an_id(typed):
    number = typed_id(typed)
    assert number is None or 1 <= number <= MAX_ID
