"""Keys for pass codes, kept out of the database.

A code is stored twice: a keyed hash (HMAC-SHA256) to find a pass from a typed code, and an
encrypted copy (Fernet) to reprint a checkbook. Both keys derive from ``PASSNUM_CODES_KEY``
(settings, from the environment), so a copy of the database alone reveals no code and lets no
one redeem a pass.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


def _subkey(label: bytes) -> bytes:
    return _derive(settings.PASSNUM_CODES_KEY, label)


@lru_cache(maxsize=8)
def _derive(master: str, label: bytes) -> bytes:
    return hmac.new(master.encode(), b"passnum/" + label, hashlib.sha256).digest()


@lru_cache(maxsize=4)
def _fernet(master: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey(b"encryption")))


def digest(code: str) -> str:
    """Lookup key of a normalised code."""
    return hmac.new(_subkey(b"lookup"), code.encode(), hashlib.sha256).hexdigest()


def encrypt(code: str) -> str:
    return _fernet(settings.PASSNUM_CODES_KEY).encrypt(code.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.PASSNUM_CODES_KEY).decrypt(token.encode()).decode()
