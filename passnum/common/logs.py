"""Log lines without email addresses or pass codes.

Logs are kept, copied and read by people who must not learn who was oriented, nor hold a code
that pays for a training hour. ``RedactSecrets`` is installed on every handler of ``LOGGING``
(settings): it formats each record — message, arguments, traceback — and masks, whatever logged
it (Django's « Not Found: /api/v1/passes/K7QM-… », django-axes naming the username of a failed
login, an email server refusing an address).
"""

import logging
import re

EMAIL_MASK = "[courriel masqué]"
CODE_MASK = "[code masqué]"

# Anything around an « @ » up to a blank or a delimiter: better mask too much than too little.
EMAIL = re.compile(r"""[^\s@"<>()\[\]{},;:]+@[^\s@"<>()\[\]{},;:]+""")

# A pass code as printed (« K7QM-9T2D-XH47 ») or typed: 12 symbols of Crockford's base 32 or
# their look-alikes (O for 0, I and L for 1; everything but U), in any case, in three groups of
# four joined by a dash, a blank or nothing. Not part of a longer word or number.
_SYMBOL = "[0-9A-TV-Za-tv-z]"
_GROUP = _SYMBOL + "{4}"
PASS_CODE = re.compile(rf"(?<![0-9A-Za-z]){_GROUP}[-\s]?{_GROUP}[-\s]?{_GROUP}(?![0-9A-Za-z])")


def _looks_like_a_code(text: str) -> bool:
    """Twelve lower-case letters without a dash are a word (« orientations »,
    « organisation »), not a code: codes are printed with dashes and in capitals, and all but
    about 1 % of them hold a digit."""
    return "-" in text or any(c.isdigit() for c in text) or not text.islower()


def _mask_code(match: re.Match) -> str:
    return CODE_MASK if _looks_like_a_code(match.group()) else match.group()


def redact(text: str) -> str:
    """``text`` with its email addresses and pass-code-shaped strings masked."""
    return PASS_CODE.sub(_mask_code, EMAIL.sub(EMAIL_MASK, text))


class RedactSecrets(logging.Filter):
    """Masks email addresses and pass codes in the message, its arguments and its traceback.

    The record is formatted here, then carries only the masked text (no arguments, no
    exception object), so that no handler can format the original again.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: keep both, as text
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = ()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
