"""Settings, read from the environment (see docs/operations.md « Réglages »)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on", "oui"}:
        return True
    if value.lower() in {"0", "false", "no", "off", "non"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir 1 ou 0 (reçu : {value!r}).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire hors mode DEBUG : définissez la variable d'environnement."
        )
    SECRET_KEY = "passnum-développement-uniquement-ne-pas-utiliser-en-production"

# Key of the pass codes (keyed hash and encryption). Kept apart from SECRET_KEY so that rotating
# SECRET_KEY does not make the printed codes unreadable; derived from it when unset.
PASSNUM_CODES_KEY = os.environ.get("PASSNUM_CODES_KEY") or f"passnum-codes:{SECRET_KEY}"
PASSNUM_CODES_KEY_IS_SET = bool(os.environ.get("PASSNUM_CODES_KEY"))  # ``check --deploy`` says so

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "dsfr",
    "widget_tweaks",
    "ninja",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "passnum.common",
    "passnum.api",
    "passnum.accounts",
    "passnum.territories",
    "passnum.programmes",
    "passnum.organisations",
    "passnum.referential",
    "passnum.journal",
    "passnum.beneficiaries",
    "passnum.providers",
    "passnum.passes",
    "passnum.referrals",
    "passnum.paths",
    "passnum.redemptions",
    "passnum.statements",
    "passnum.reporting",
    "passnum.notifications",
    "passnum.www",
    "passnum.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "passnum.organisations.middleware.CurrentMembershipMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "passnum.urls"
WSGI_APPLICATION = "passnum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "passnum.www.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_DIR / 'var' / 'passnum.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA foreign_keys=ON;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Reports and indicators may read from a replica (same schema, read-only, a few seconds behind).
if os.environ.get("REPORTING_DATABASE_URL"):
    DATABASES["reporting"] = dj_database_url.parse(
        os.environ["REPORTING_DATABASE_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
PASSNUM_REPORTING_DATABASE = "reporting" if "reporting" in DATABASES else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "www:dashboard"
LOGOUT_REDIRECT_URL = "www:home"

# Login throttling (web and API): django-axes, attempts kept in the database so that
# several stateless app servers share them. An account is locked after AXES_FAILURE_LIMIT
# failures from any addresses, an address after PASSNUM_LOGIN_FAILURES_PER_ADDRESS failures on
# any accounts (passnum.accounts.throttling.LoginThrottle).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
PASSNUM_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "passnum.accounts.throttling.LoginThrottle"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "passnum.accounts.throttling.lockout_response"
AXES_VERBOSE = False
# Client address behind reverse proxies: PROXY_COUNT is the number of proxies in front of the
# application. The one facing the Internet must set X-Forwarded-For to the client's address
# (nginx: `proxy_set_header X-Forwarded-For $remote_addr;`), each following proxy appends its
# own; the header then holds exactly PROXY_COUNT addresses, the client's first.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
if PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "var" / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail (password reset, reminders).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "passnum <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that does not answer must not hold a worker (and its row lock) forever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# Background tasks (django-tasks, database backend): every email goes through the queue
# « emails », the large exports through « exports »; `passnum worker` runs both (one or more
# processes, on any machine sharing the database; `passnum prune_db_task_results` trims the
# finished tasks).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["emails", "exports"],
    }
}

# Exports (docs/operations.md « Exports »): up to this many rows, the site sends the file at
# once (about 2 seconds each: openpyxl writes some 1 000 XLSX rows a second, CSV goes 25 times
# faster); beyond, a task of `passnum worker` makes it and the page offers it when ready. Files
# made that way are deleted by `passnum daily` after EXPORT_RETENTION_DAYS days.
PASSNUM_EXPORT_DIRECT_MAX_ROWS = {
    "csv": int(os.environ.get("EXPORT_DIRECT_MAX_ROWS_CSV", "50000")),
    "xlsx": int(os.environ.get("EXPORT_DIRECT_MAX_ROWS_XLSX", "2000")),
}
PASSNUM_EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))

# Security baseline. Outside DEBUG: secure cookies, HSTS, HTTPS redirect (turn it off only
# behind a proxy that already redirects: SECURE_SSL_REDIRECT=0).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy: everything from our own origin, scripts only with a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# API tokens.
API_TOKEN_LIFETIME = timedelta(days=int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "30")))

# No email address and no pass code in any log line: every handler masks them
# (passnum.common.logs). Django's own handlers are replaced by these: its records go to the
# console, the development server's access log to its own handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "passnum.common.logs.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# What the header shows.
# The public address of the site, for links in emails (e.g. https://pass-numerique.lozere.fr).
PASSNUM_SITE_URL = os.environ.get("PASSNUM_SITE_URL", "").rstrip("/")
PASSNUM_SITE_TITLE = os.environ.get("PASSNUM_SITE_TITLE", "Pass numérique")
PASSNUM_SITE_TAGLINE = os.environ.get("PASSNUM_SITE_TAGLINE", "Département de la Lozère")
DSFR_MARK_OPTIONAL_FIELDS = True
