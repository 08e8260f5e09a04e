"""« Pass non utilisés » in Debian's Chromium: the referrer's list at desktop width and at
390 px (screenshots, axe), « Relancer » with the keyboard, the chosen people reminded at once,
and the Département's list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passnum.passes.models import Reminder
from passnum.territories.models import Commune
from passnum.territories.services import load_communes
from tests.factories import ProgrammeFactory
from tests.referrals.follow_up import Dormant
from tests.www import test_browser as base
from tests.www.test_browser import SCREENS, describe, log_in, serious_violations

browser, page = base.browser, base.page

pytestmark = pytest.mark.browser

WIDTHS = {"bureau": 1280, "telephone": 390}
DAY = timedelta(days=1)


@pytest.fixture
def world(transactional_db):
    """A Mission Locale with four people whose passes sleep (one reminded two days ago), and
    France Travail with one more."""
    today = timezone.localdate()
    programme = ProgrammeFactory(starts_on=today - 400 * DAY, ends_on=today + 400 * DAY)
    load_communes("48")
    world = Dormant(programme)
    for actor, name in (
        (world.referrer, "Mission Locale Lozère"),
        (world.other_referrer, "France Travail Mende"),
        (world.department, "Département de la Lozère"),
    ):
        actor.organisation.name = name
        actor.organisation.save()
    commune = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=["48095", "48061"])}
    jeanne = world.checkbook(
        on=today - 45 * DAY,
        first_name="Jeanne",
        last_name="Durand",
        email="jeanne@exemple.fr",
        commune=commune["48095"],
    )
    world.checkbook(
        on=today - 60 * DAY, first_name="Karim", last_name="Benali", commune=commune["48061"]
    )
    ending = world.checkbook(
        on=today - 170 * DAY,
        first_name="Lucie",
        last_name="Martin-Rouvière",
        email="lucie@exemple.fr",
        commune=commune["48095"],
    )
    world.use(ending, 2, on=today - 150 * DAY)
    reminded = world.checkbook(
        on=today - 90 * DAY, first_name="Odile", last_name="Vernhet", commune=commune["48061"]
    )
    from passnum.referrals.services import remind

    remind(world.referrer, reminded.prescription.referral, today=today - 2 * DAY)
    world.checkbook(
        by=world.other_referrer,
        on=today - 40 * DAY,
        first_name="Paul",
        last_name="Secret",
        commune=commune["48095"],
    )
    world.jeanne = jeanne
    return world


def assert_clean(page):
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert not page.journal.errors, "\n".join(page.journal.errors)


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_referrer_s_list_is_accessible(page, live_server, world, screen):
    page.set_viewport_size({"width": WIDTHS[screen], "height": 900})
    log_in(page, world.referrer.user.username)
    if screen == "bureau":
        page.get_by_role("link", name="Pass non utilisés", exact=True).first.click()
    else:  # the menu is behind the « Menu » button on small screens
        page.goto("/espace/suivi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pass non utilisés")
    expect(page.locator("#pass-dormants tbody tr")).to_have_count(4)
    expect(page.get_by_text("Secret")).to_have_count(0)
    assert_clean(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"pass-non-utilises-{screen}.png", full_page=True)


def test_remind_with_the_keyboard_then_the_chosen_ones(page, live_server, world):
    log_in(page, world.referrer.user.username)
    page.goto("/espace/suivi/")
    button = page.get_by_role("button", name="Relancer Jeanne Durand par courriel")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".fr-alert--success").first).to_contain_text(
        "Relance par courriel (1) : Jeanne Durand"
    )
    expect(page.get_by_role("row", name="Jeanne Durand")).to_contain_text("Relancée aujourd'hui")
    assert_clean(page)

    # choose two people with the keyboard (Space ticks a box), then « Relancer les personnes
    # choisies »
    for name in ("Karim Benali", "Lucie Martin-Rouvière"):
        page.get_by_label(f"Choisir {name}").focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="Relancer les personnes choisies").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#contenu")).to_contain_text("Relance par lettre (1) : Karim Benali")
    expect(page.locator("#contenu")).to_contain_text(
        "Relance par courriel (1) : Lucie Martin-Rouvière"
    )
    expect(page.locator("#contenu")).to_contain_text("1 lettre de relance à imprimer aujourd'hui")
    assert Reminder.objects.filter(organisation=world.referrer.organisation).count() == 4
    assert_clean(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / "pass-non-utilises-apres-relance.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger les lettres (PDF)").click()
    assert download.value.suggested_filename.startswith("lettres-relance-")


def test_the_department_sees_every_organisation(page, live_server, world):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, world.department.user.username)
    page.goto("/espace/suivi/")
    expect(page.locator("#pass-dormants tbody tr")).to_have_count(5)
    expect(page.get_by_role("cell", name="France Travail Mende")).to_be_visible()
    assert_clean(page)
    page.screenshot(path=SCREENS / "pass-non-utilises-departement.png", full_page=True)
