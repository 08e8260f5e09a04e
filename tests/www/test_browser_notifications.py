"""« Courriels » in Debian's Chromium: the operator's page at desktop width and at 390 px
(screenshots, axe), and « Réessayer » with the keyboard."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passnum.notifications.models import Email, EmailKind, EmailStatus
from passnum.organisations.enums import OrganisationKind
from tests.www import test_browser as ui
from tests.www.test_browser import SCREENS, describe, log_in, member, serious_violations

# The fixtures of tests/www/test_browser.py: Chromium once per module, a page per test.
browser, page = ui.browser, ui.page

pytestmark = pytest.mark.browser

START = timezone.make_aware(datetime.datetime(2026, 11, 2, 9))


@pytest.fixture
def operator(transactional_db):
    """The operator of a programme with queued, failed and sent emails."""
    operator = member(OrganisationKind.OPERATOR, "Lozère Développement")
    programme = operator.organisation.programme

    def email(n, **fields):
        made = Email.objects.create(
            **{
                "programme": programme,
                "recipient": f"personne{n}@exemple.fr",
                "subject": "Objet",
                "body": "Texte",
                **fields,
            }
        )
        Email.objects.filter(pk=made.pk).update(created_at=START + datetime.timedelta(minutes=n))

    email(
        0,
        kind=EmailKind.REMINDER_BENEFICIARY,
        status=EmailStatus.QUEUED,
        attempts=2,
        next_attempt_at=START + datetime.timedelta(minutes=20),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    email(
        1,
        kind=EmailKind.REMINDER_REFERRER,
        status=EmailStatus.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: {'[adresse masquée]': (550, b'5.1.1 inconnue')}",
    )
    email(
        2,
        kind=EmailKind.PASSWORD_RESET,
        status=EmailStatus.FAILED,
        attempts=6,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        body="",
        secret_until=START,
        body_erased_at=START,
    )
    for n in range(3, 8):
        email(n, kind=EmailKind.REMINDER_BENEFICIARY, status=EmailStatus.SENT, sent_at=START)
    return operator


def open_emails(page, operator):
    log_in(page, operator.user.username)
    page.get_by_role("link", name="Courriels", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courriels")


@pytest.mark.parametrize(("width", "name"), [(1280, "bureau"), (390, "mobile")])
def test_emails_page_is_accessible_with_screenshots(page, live_server, operator, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    if width < 992:  # the menu is behind the « Menu » button on small screens
        log_in(page, operator.user.username)
        page.goto("/espace/courriels/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Courriels")
    else:
        open_emails(page, operator)
    expect(page.locator("#a-surveiller tbody tr")).to_have_count(3)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"courriels-pilote-{name}.png", full_page=True)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )
    assert "personne1@" not in page.content()


def test_retry_with_the_keyboard(page, live_server, operator):
    open_emails(page, operator)
    failed = Email.objects.get(kind=EmailKind.REMINDER_REFERRER)
    button = page.get_by_role("button", name=f"Réessayer l'envoi du courriel n° {failed.pk}")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".fr-alert--success, .fr-alert--info").first).to_contain_text(
        f"Courriel n° {failed.pk}"
    )
    failed.refresh_from_db()
    assert failed.status == EmailStatus.QUEUED
    expect(page.locator("#a-surveiller tbody tr")).to_have_count(3)
    violations = serious_violations(page)
    assert not violations, describe(violations)
