"""« Exports » in Debian's Chromium: the operator's page at desktop width and at 390 px
(screenshots, axe), a direct download with the keyboard, and a file made in the background
that appears when ready — by itself with JavaScript, with « Actualiser l'avancement » without."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passnum.reporting.enums import ExportStatus
from passnum.reporting.models import ExportChunk, ExportFile
from passnum.reporting.periods import Period
from passnum.reporting.services import request_export
from passnum.reporting.tasks import make
from tests.factories import ProgrammeFactory
from tests.reporting.activity import build_activity
from tests.www import test_browser as ui
from tests.www.test_browser import SCREENS, describe, log_in, serious_violations

# The fixtures of tests/www/test_browser.py: Chromium once per module, a page per test.
browser, page = ui.browser, ui.page

pytestmark = pytest.mark.browser


@pytest.fixture
def activity(transactional_db):
    """A programme with activity and, for its operator, files in each state."""
    activity = build_activity(ProgrammeFactory(), people=2)
    operator = activity.operator
    ready = request_export(operator, "sessions", "xlsx", Period())
    make(ready.pk)
    running = request_export(operator, "passes", "csv", Period(timezone.localdate(), None))
    ExportFile.objects.filter(pk=running.pk).update(
        status=ExportStatus.RUNNING, rows_total=12_000, rows_done=4_000
    )
    failed = request_export(operator, "statements", "csv", Period())
    ExportFile.objects.filter(pk=failed.pk).update(
        status=ExportStatus.FAILED,
        error="L'export n'a pas abouti (le processus qui le produisait s'est arrêté). "
        "Demandez-le de nouveau.",
    )
    activity.files = {"ready": ready, "running": running, "failed": failed}
    return activity


def open_exports(page, activity, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, activity.operator.user.username)
    if width < 992:  # the menu is behind the « Menu » button on small screens
        page.goto("/espace/exports/")
    else:
        page.get_by_role("link", name="Exports", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")


@pytest.mark.parametrize(("width", "name"), [(1280, "bureau"), (390, "mobile")])
def test_exports_page_is_accessible_with_screenshots(page, live_server, activity, width, name):
    open_exports(page, activity, width)
    expect(page.locator("#exports-prepares tbody tr")).to_have_count(3)
    expect(page.get_by_text("4 000 lignes sur 12 000 (33 %)")).to_be_visible()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"exports-pilote-{name}.png", full_page=True)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "Erreurs de console ou CSP :\n" + "\n".join(
        page.journal.errors
    )


def test_a_small_export_is_downloaded_with_the_keyboard(page, live_server, activity):
    open_exports(page, activity, 1280)
    for choice in (
        "Séances (colonnes de La Coop de la médiation numérique)",
        "CSV (point-virgule, UTF-8)",
    ):
        page.get_by_label(choice).focus()
        page.keyboard.press("Space")
        expect(page.get_by_label(choice)).to_be_checked()
    page.get_by_label("Du").focus()
    page.keyboard.type("01012026")  # the date field, as typed in a French browser
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter").press("Enter")
    assert download.value.suggested_filename == "passnum-seances_du-2026-01-01.csv"
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        text = file.read()
    assert text.startswith("Date;Type;Nombre de participants;Canaux d'accompagnement;Lieu;")
    assert text.count("\r\n") == 1 + 2


def finish(export):
    ExportChunk.objects.create(export=export, index=0, data=b"\xef\xbb\xbfSerie\r\n")
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, rows_done=12_000, finished_at=timezone.now(), size_bytes=11
    )


def test_a_file_appears_when_ready_without_reloading(page, live_server, activity):
    open_exports(page, activity, 1280)
    running = activity.files["running"]
    link = page.get_by_role("link", name=re.compile(f"Télécharger l'export n° {running.pk}"))
    expect(link).to_have_count(0)
    finish(running)
    expect(link).to_be_visible(timeout=10_000)  # the page read itself again
    expect(page.locator("#fichiers-annonce")).to_have_text(
        f"L'export n° {running.pk} est prêt à télécharger."
    )
    expect(page.get_by_text("Actualiser l'avancement")).to_have_count(0)
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_without_javascript_the_refresh_link_shows_it(browser, live_server, activity):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, activity.operator.user.username)
        page.goto("/espace/exports/")
        running = activity.files["running"]
        finish(running)
        page.wait_for_timeout(4000)  # nothing reads the page again by itself
        link = page.get_by_role("link", name=re.compile(f"Télécharger l'export n° {running.pk}"))
        expect(link).to_have_count(0)
        page.get_by_role("link", name="Actualiser l'avancement").click()
        expect(link).to_be_visible()
    finally:
        context.close()
