"""Numbers typed by people — an id in a query string, a count in a form, a programme on the
command line — read without trusting them."""

import re

# The largest id of a row: primary keys are 64-bit signed integers (PostgreSQL ``bigint``,
# SQLite ``integer``); a larger number can be neither stored nor compared by the database.
MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"[0-9]+")


def typed_id(value) -> int | None:
    """The positive whole number typed in ``value``, else ``None``.

    Only ASCII digits count: « ² » or « ٣ » pass ``str.isdigit()`` but not ``int()``. A number
    beyond ``MAX_ID`` names no row and is ``None`` too, so that no query overflows.
    """
    text = str(value if value is not None else "").strip()
    if not _DIGITS.fullmatch(text) or len(text.lstrip("0")) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
