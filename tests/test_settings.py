"""Settings read from the environment: production refuses unsafe defaults and passes
``check --deploy``."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3J9-vQ2#mZ8pL0!xR7tW4yB6nH1cF5gD@sA2eU9iO3-Tz5Kw8Lq",
    # (fixed so the test is repeatable; 50+ characters, many distinct)
    "ALLOWED_HOSTS": "pass-numerique.lozere.fr",
    "DATABASE_URL": "sqlite:////tmp/passnum-check.sqlite3",
    "PASSNUM_CODES_KEY": "clé-des-codes-de-test-gardée-hors-de-la-base-0123456789",
}


def passnum(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "passnum", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = passnum("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_outside_debug():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = passnum("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire hors mode DEBUG" in result.stderr


def test_a_bad_boolean_is_explained_in_french():
    result = passnum("check", env={**PRODUCTION, "DEBUG": "peut-être"})
    assert result.returncode != 0
    assert "DEBUG doit valoir 1 ou 0" in result.stderr


def test_debug_has_a_development_secret():
    result = passnum("check", env={"DEBUG": "1", "SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr


def test_postgresql_through_database_url():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='passnum.settings'; "
        "from django.conf import settings; d=settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])"
    )
    env = {
        **os.environ,
        **PRODUCTION,
        "DATABASE_URL": "postgres://passnum:secret@db.internal:5432/passnum",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "passnum",
        "db.internal",
        "5432",
    ]


CLIENT_IP_SCRIPT = """
from django.test import RequestFactory
from passnum.common.clients import client_ip
request = RequestFactory().get(
    "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="{xff}"
)
print(client_ip(request))
"""


def client_ip_with(proxy_count: str, xff: str) -> str:
    env = {**PRODUCTION, "PROXY_COUNT": proxy_count}
    result = passnum("shell", "-c", CLIENT_IP_SCRIPT.format(xff=xff), env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_without_proxies_the_client_is_the_connection():
    assert client_ip_with("0", "198.51.100.9") == "10.0.0.1"


def test_behind_one_proxy_the_client_is_the_address_it_forwards():
    assert client_ip_with("1", "198.51.100.9") == "198.51.100.9"


def test_behind_two_proxies_the_client_comes_first():
    assert client_ip_with("2", "198.51.100.9, 10.0.0.2") == "198.51.100.9"


def test_check_deploy_warns_when_the_codes_key_is_derived(settings):
    from passnum.passes.checks import codes_key_is_set

    settings.PASSNUM_CODES_KEY_IS_SET = False
    [warning] = codes_key_is_set(None)
    assert warning.id == "passnum.W001"
    assert "SECRET_KEY" in warning.msg
    settings.PASSNUM_CODES_KEY_IS_SET = True
    assert codes_key_is_set(None) == []


def test_check_deploy_warns_without_a_codes_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "PASSNUM_CODES_KEY"}
    result = passnum("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 1
    assert "passnum.W001" in result.stderr
