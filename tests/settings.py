"""Test settings: the real settings, with a test secret and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "0")

from passnum.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Several test runs on one PostgreSQL server at once (e.g. in parallel work trees) each need
# their own test database.
if os.environ.get("PASSNUM_TEST_DB_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["PASSNUM_TEST_DB_NAME"]  # noqa: F405

# A second alias on the same test database, standing for a reporting replica: the tests that
# read from a replica use it (``using="reporting"``).
DATABASES["reporting"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
