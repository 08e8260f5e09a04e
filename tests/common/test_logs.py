"""No email address and no pass code in any log line (``passnum.common.logs``).

The filter is checked on its own, then installed on every handler, then through the flows that
log: failed logins (web and API) with an email as username, lookups and redemptions with bad
codes, 4xx and 5xx answers logged by ``django.request``, an unknown API address holding a code,
an email that cannot be sent.
"""

import io
import logging
import smtplib

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone

from passnum.common.logs import CODE_MASK, EMAIL_MASK, RedactSecrets, redact
from passnum.notifications.models import EmailKind
from passnum.notifications.services import queue_email
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes
from tests.conftest import token_for
from tests.factories import AccreditationFactory, UserFactory
from tests.tasks import run_tasks

EMAIL = "jeanne.secret@exemple.fr"
PAYLOAD = "K7QM9T2DXH4"
CODE = PAYLOAD + codes.check_symbol(PAYLOAD)  # a real, well-formed code
TYPO = CODE[:-1] + next(s for s in codes.ALPHABET if s != CODE[-1])  # one symbol wrong


def spellings(code: str) -> list[str]:
    """How a code can appear in a line: printed, typed, lower-case, without dashes."""
    shown = codes.display(code)
    return [shown, shown.lower(), code, code.lower(), shown.replace("-", " ")]


SECRETS = [EMAIL, *spellings(CODE), *spellings(TYPO)]


# --- The filter --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (f"Rappel n° 12 non envoyé à {EMAIL}", f"Rappel n° 12 non envoyé à {EMAIL_MASK}"),
        (
            "{'username': 'a.b+c@d.fr', 'ip': '1.2.3.4'}",
            f"{{'username': {EMAIL_MASK}, 'ip': '1.2.3.4'}}",
        ),
        ("<o'brien@exemple.fr>", f"<{EMAIL_MASK}>"),
        ("Not Found: /api/v1/passes/K7QM-9T2D-XH47", f"Not Found: /api/v1/passes/{CODE_MASK}"),
        ("code=k7qm-9t2d-xh47&x=1", f"code={CODE_MASK}&x=1"),
        ("« K7QM 9T2D XH47 »", f"« {CODE_MASK} »"),
        ("K7QM9T2DXH47.", f"{CODE_MASK}."),
        ("OIL0-olio-1234", CODE_MASK),  # look-alikes, typed as read on paper
        ("code_K7QM9T2DXH47", f"code_{CODE_MASK}"),
        ("kqmv-tdxh-brza", CODE_MASK),  # no digit, but dashed
        ("KQMVTDXHBRZA", CODE_MASK),  # no digit, but in capitals
        ("Kqmvtdxhbrza", CODE_MASK),
    ],
)
def test_emails_and_codes_are_masked(line, masked):
    assert redact(line) == masked


@pytest.mark.parametrize(
    "line",
    [
        "Internal Server Error: /espace/orientations/12/",
        "  File organisation/permissions.py, in ensure_can: actor.organisation",
        "elle fait deja le lien",  # three words of four letters
        "Pass 48-2026-900001 encaissé le 2026-03-02 à 14:05:33 (10,00 €)",
        "Unprocessable Content: /api/v1/passes/lookup",
        "K7QM-9T2D-XH47X",  # 13 symbols: not a code
        "UUUU-UUUU-UUUU",  # U is no symbol
        "AXES: Locking out {ip_address: 10.0.0.1} after repeated login failures.",
    ],
)
def test_other_lines_are_left_alone(line):
    assert redact(line) == line


def make_record(msg, *args, exc_info=None):
    return logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_arguments_and_the_traceback_are_masked():
    try:
        raise smtplib.SMTPRecipientsRefused({EMAIL: (550, b"unknown")})
    except smtplib.SMTPRecipientsRefused:
        import sys

        record = make_record("Envoi à %s du pass %s : %d", EMAIL, CODE, 3, exc_info=sys.exc_info())
    assert RedactSecrets().filter(record) is True
    line = logging.Formatter().format(record)
    assert line.startswith(f"Envoi à {EMAIL_MASK} du pass {CODE_MASK} : 3\nTraceback")
    assert "SMTPRecipientsRefused" in line
    assert not any(secret in line for secret in SECRETS)
    assert (record.args, record.exc_info) == ((), None)


def test_arguments_that_do_not_fit_are_kept_masked():
    record = make_record("%s et %s", EMAIL)  # one argument missing
    RedactSecrets().filter(record)
    assert EMAIL not in record.getMessage()
    assert EMAIL_MASK in record.getMessage()


# --- Installed on every handler ------------------------------------------------------------------


def test_every_handler_of_the_settings_redacts():
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "redact" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["redact"]["()"] == "passnum.common.logs.RedactSecrets"


def live_handlers():
    """Every handler that writes somewhere, but those pytest adds to capture the output
    (libraries attach a ``NullHandler``, which writes nothing)."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.NullHandler):
                continue
            if not type(handler).__module__.startswith("_pytest"):
                yield logger.name, handler


def test_every_live_handler_redacts():
    found = list(live_handlers())
    assert {name for name, _ in found} >= {"root", "django.server"}
    for name, handler in found:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), (name, handler)


# --- Through the flows that log ------------------------------------------------------------------


class Capture(logging.Handler):
    """Keeps each record as a handler writes it: message, arguments and traceback."""

    def __init__(self, filters=()):
        super().__init__()
        self.filters = list(filters)
        self.lines = []

    def emit(self, record):
        self.lines.append(f"{self.format(record)} {record.args!r}")


@pytest.fixture
def captured(monkeypatch):
    """``(raw, written)``: what the code logged, and what the installed handlers write."""
    root = logging.getLogger()
    console = next(h for h in root.handlers if type(h) is logging.StreamHandler)
    server = logging.getLogger("django.server").handlers[0]
    raw, written = Capture(), Capture(filters=console.filters)
    streams = {console: io.StringIO(), server: io.StringIO()}
    for handler, stream in streams.items():
        monkeypatch.setattr(handler, "stream", stream)
    root.handlers.insert(0, raw)  # before the installed handlers: sees the records unmasked
    root.addHandler(written)
    try:
        yield raw, written, streams
    finally:
        root.removeHandler(raw)
        root.removeHandler(written)


def test_no_secret_reaches_a_log_line(captured, make_actor, programme, monkeypatch, mailoutbox):
    raw, written, streams = captured
    anonymous = Client(raise_request_exception=False)

    # Failed logins with an email as username, on the site and over the API, up to the lockout.
    UserFactory(username=EMAIL, email=EMAIL)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        anonymous.post("/connexion/", {"username": EMAIL, "password": "faux"})
        anonymous.post(
            "/api/v1/auth/token",
            {"username": EMAIL, "password": "faux"},
            content_type="application/json",
        )

    # Lookups and redemptions with bad codes (4xx logged by django.request).
    provider = make_actor(OrganisationKind.PROVIDER)
    AccreditationFactory(organisation=provider.organisation)
    api = Client(
        headers={"Authorization": f"Bearer {token_for(anonymous, provider.user.username)}"},
        raise_request_exception=False,
    )
    for code in spellings(CODE) + spellings(TYPO):
        api.post("/api/v1/passes/lookup", {"code": code}, content_type="application/json")
        anonymous.post("/verifier-mes-pass/", {"code": code})
    api.post(
        "/api/v1/redemptions",
        {
            "codes": [codes.display(CODE), codes.display(TYPO)],
            "date": timezone.localdate().isoformat(),
            "duration_minutes": 120,
            "services": ["outils_quotidien"],
        },
        content_type="application/json",
    )
    web = Client(raise_request_exception=False)
    web.force_login(provider.user)
    web.post("/espace/encaisser/", {"code_1": codes.display(TYPO), "date": "x"})

    # Unknown addresses holding a code (404), on the API and on the site.
    api.get(f"/api/v1/passes/{codes.display(CODE)}")
    anonymous.get(f"/verifier-mes-pass/{CODE.lower()}/?courriel={EMAIL}")

    # 5xx: an unexpected error whose message holds an email and a code, on the API and the site.
    def crash(*args, **kwargs):
        raise RuntimeError(f"panne pour {EMAIL} avec {codes.display(CODE)}")

    monkeypatch.setattr("passnum.passes.api.lookup_pass", crash)
    monkeypatch.setattr("passnum.www.public.views.find_pass_anywhere", crash)
    assert (
        api.post(
            "/api/v1/passes/lookup", {"code": CODE}, content_type="application/json"
        ).status_code
        == 500
    )
    assert anonymous.post("/verifier-mes-pass/", {"code": CODE}).status_code == 500

    # An email that cannot be sent (through the task queue): a reminder, a password reset.
    queue_email(
        kind=EmailKind.REMINDER_BENEFICIARY,
        recipient=EMAIL,
        subject="Vos Pass numériques",
        body="Bonjour",
        programme=programme,
    )

    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({EMAIL: (550, f"5.1.1 <{EMAIL}> inconnu".encode())})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    anonymous.post("/mot-de-passe/oubli/", {"email": EMAIL})
    assert run_tasks() == 2

    # The development server's access log.
    logging.getLogger("django.server").warning(
        '"%s" %s %s', f"GET /api/v1/passes/{codes.display(CODE)} HTTP/1.1", "404", "52"
    )

    # The flows did log the secrets…
    unmasked = "\n".join(raw.lines)
    assert EMAIL in unmasked
    assert codes.display(CODE) in unmasked
    assert "Traceback" in unmasked
    # … and no line written holds one.
    lines = [*written.lines, *(stream.getvalue() for stream in streams.values())]
    assert all(lines)
    for line in lines:
        for secret in SECRETS:
            assert secret.lower() not in line.lower(), (secret, line)
    assert EMAIL_MASK in "\n".join(lines)
    assert CODE_MASK in "\n".join(lines)
