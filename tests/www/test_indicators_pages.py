"""« Indicateurs » and the steering dashboards (Département, operator, funder): who sees them,
the filters and their French refusals, the figures as ``indicators_for`` gives them, charts
with their tables, « À faire », and a number of queries that does not grow with the data."""

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from passnum.common.templatetags.passnum import number
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.reporting.indicators import Filters, indicators_for
from passnum.reporting.periods import Period
from tests.factories import (
    FunderFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
)
from tests.reporting.test_indicators import build

Kind = OrganisationKind
URL = reverse("www:indicators")
STATS_ROLES = [Kind.DEPARTMENT, Kind.OPERATOR, Kind.FUNDER]
NO_FIGURES = "Les indicateurs ne sont pas affichés"


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def key_figure(response, label: str) -> str:
    """The value of the key figure named ``label``."""
    match = re.search(
        rf'passnum-key-figure__label">{re.escape(html.escape(label))}</p>\s*'
        r'<p class="passnum-key-figure__value passnum-figure">([^<]+)</p>',
        response.content.decode(),
    )
    assert match, label
    return match.group(1)


def actor_of(programme, kind) -> Actor:
    organisation = OrganisationFactory(programme=programme, kind=kind)
    return Actor(MembershipFactory(organisation=organisation))


@pytest.fixture
def lozere(db, communes):
    """A programme with a year of activity, its funders, and another programme beside it."""
    programme = ProgrammeFactory(name="Lozère")
    FunderFactory(programme=programme, name="État", share_basis_points=6000)
    FunderFactory(programme=programme, name="Département <de> la Lozère", share_basis_points=4000)
    providers = build(programme, seed=31, people=20)
    other = ProgrammeFactory(name="Ailleurs")
    other_providers = build(other, seed=32, people=4)
    return {"programme": programme, "providers": providers, "other": other_providers}


# Who sees it


@pytest.mark.parametrize("kind", STATS_ROLES)
def test_the_department_the_operator_and_the_funder_see_their_programme(lozere, kind):
    actor = actor_of(lozere["programme"], kind)
    response = logged_in(actor).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Indicateurs du programme" in page
    figures = indicators_for(actor)
    assert key_figure(response, "Chéquiers prescrits") == number(figures.checkbooks.prescribed)
    for provider in lozere["providers"]:
        assert provider.name in page
    # Nothing of the other programme: not its providers, not as a choice of the filter.
    for provider in lozere["other"]:
        assert provider.name not in page
        assert f'value="{provider.pk}"' not in response.content.decode()


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.PROVIDER])
def test_referrers_and_providers_are_refused(lozere, kind):
    response = logged_in(actor_of(lozere["programme"], kind)).get(URL)
    assert response.status_code == 403
    assert "Votre rôle ne donne pas accès aux indicateurs du programme." in text(response)
    assert "Chéquiers prescrits" not in text(response)


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("kind", list(Kind))
def test_the_menu_links_the_page_for_those_who_see_indicators(make_actor, kind):
    body = logged_in(make_actor(kind)).get(reverse("www:dashboard")).content.decode()
    nav = body.split('id="navigation-principale"')[1].split("</nav>")[0]
    assert (f'href="{URL}"' in nav) is (kind in STATS_ROLES)


# Filters


def test_filters_narrow_the_figures_and_stay_in_the_address(lozere):
    programme = lozere["programme"]
    actor = actor_of(programme, Kind.FUNDER)
    provider = lozere["providers"][0]
    query = {"from": "2026-02-01", "to": "2026-10-31", "public": "rsa", "commune": "48095"}
    response = logged_in(actor).get(URL, query)
    assert response.status_code == 200
    want = indicators_for(
        actor,
        Period(date(2026, 2, 1), date(2026, 10, 31)),
        Filters(public="rsa", commune="48095"),
    )
    assert key_figure(response, "Chéquiers prescrits") == number(want.checkbooks.prescribed)
    assert key_figure(response, "Personnes accompagnées") == number(want.people)
    page = text(response)
    assert "Du 1 février 2026 au 31 octobre 2026" in page
    assert "public : Bénéficiaire du rSa" in page
    assert "personnes de Mende (48095)" in page
    body = response.content.decode()
    # The form shows what was asked, so that « Afficher » keeps it.
    assert 'name="from" value="2026-02-01"' in body or 'value="2026-02-01"' in body
    assert '<option value="rsa" selected>' in body
    assert '<option value="48095" selected>' in body

    response = logged_in(actor).get(URL, {"provider_id": str(provider.pk)})
    want = indicators_for(actor, filters=Filters(provider_id=provider.pk))
    assert key_figure(response, "Chéquiers prescrits") == number(want.checkbooks.prescribed)
    assert f"structure : {provider.name}" in text(response)
    assert f'<option value="{provider.pk}" selected>' in response.content.decode()


def test_outside_priority_publics_is_a_filter(lozere):
    actor = actor_of(lozere["programme"], Kind.DEPARTMENT)
    response = logged_in(actor).get(URL, {"public": "hors_public_prioritaire"})
    want = indicators_for(actor, filters=Filters(public="hors_public_prioritaire"))
    assert key_figure(response, "Chéquiers prescrits") == number(want.checkbooks.prescribed)
    assert "public : Hors public prioritaire" in text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-02-30"}, "La date de début « 2026-02-30 » n'est pas une date valide"),
        ({"to": "demain"}, "La date de fin « demain » n'est pas une date valide"),
        ({"from": "²²²²-01-01"}, "n'est pas une date valide"),
        ({"from": "1066-10-14"}, "doit être comprise entre 2000 et 2100"),
        (
            {"from": "2026-06-01", "to": "2026-01-01"},
            "La date de début de la période est postérieure à sa date de fin.",
        ),
        ({"from": "x" * 500}, "Ce n'est pas une date (AAAA-MM-JJ)."),
        ({"provider_id": "abc"}, "Cette structure n'est pas une structure de médiation"),
        ({"provider_id": "²"}, "Cette structure n'est pas une structure de médiation"),
        ({"provider_id": "-1"}, "Cette structure n'est pas une structure de médiation"),
        ({"provider_id": "9" * 30}, "Cette structure n'est pas une structure de médiation"),
        ({"public": "pirate"}, "Ce public n'existe pas."),
        ({"commune": "75056"}, "Cette commune n'est pas une commune du territoire."),
        ({"commune": "4809²"}, "Cette commune n'est pas une commune du territoire."),
    ],
)
def test_bad_filters_are_refused_in_french_without_figures(lozere, query, message):
    response = logged_in(actor_of(lozere["programme"], Kind.OPERATOR)).get(URL, query)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert NO_FIGURES in page
    assert "<svg" not in response.content.decode()


def test_another_programmes_provider_is_refused(lozere):
    stranger = lozere["other"][0]
    response = logged_in(actor_of(lozere["programme"], Kind.FUNDER)).get(
        URL, {"provider_id": str(stranger.pk)}
    )
    page = text(response)
    assert "Cette structure n'est pas une structure de médiation du programme." in page
    assert NO_FIGURES in page
    assert stranger.name not in page


def test_every_error_is_told_at_once(lozere):
    response = logged_in(actor_of(lozere["programme"], Kind.FUNDER)).get(
        URL, {"from": "hier", "provider_id": "²", "public": "x"}
    )
    page = text(response)
    assert "Le formulaire contient 3 erreurs" in page
    assert "n'est pas une date valide" in page


# What the page shows


def test_each_chart_is_an_image_with_its_table(lozere):
    actor = actor_of(lozere["programme"], Kind.DEPARTMENT)
    response = logged_in(actor).get(URL)
    body = response.content.decode()
    svgs = re.findall(r"<svg [^>]*>", body)
    assert len(svgs) == 7  # funnel, months, publics, needs, providers, EPCI, map
    assert all('role="img"' in s and "aria-labelledby" in s and "viewBox" in s for s in svgs)
    assert body.count("Voir les données du graphique") == 7
    captions = re.findall(r"<caption>([^<]+)</caption>", body)
    assert "Pass à chaque étape" in captions
    assert "Chéquiers prescrits et pass utilisés par mois" in captions
    assert "Chéquiers prescrits et pass utilisés par commune" in captions
    # The funnel's table holds the figures of indicators.py.
    figures = indicators_for(actor)
    for step in figures.funnel:
        assert f"{step.label} {number(step.passes)}" in text(response)
    # The map: every commune of Lozère as a dot, a circle per commune with checkbooks.
    map_svg = re.search(r'<svg [^>]*id="carte".*?</svg>', body, re.S).group(0)
    assert map_svg.count('fill="#666666"><title>') == 152
    with_checkbooks = [c for c in figures.by_commune if c.prescribed]
    assert map_svg.count('class="passnum-map-circle"') == len(with_checkbooks)
    # The funders' names are escaped.
    assert "Département &lt;de&gt; la Lozère" in body


def test_pic_share_says_whether_the_target_is_met(lozere):
    actor = actor_of(lozere["programme"], Kind.FUNDER)
    response = logged_in(actor).get(URL)
    figures = indicators_for(actor)
    want = "objectif de 50\u00a0% atteint" if figures.pic_target_met else "non atteint"
    assert want in response.content.decode()
    met = logged_in(actor).get(URL, {"public": "demandeur_emploi_peu_qualifie"})
    assert "objectif de 50\u00a0% atteint" in met.content.decode()


def test_an_empty_programme_shows_zeros_not_errors(make_actor, communes):
    response = logged_in(make_actor(Kind.FUNDER)).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Aucun pass utilisé" in page
    assert "Aucune donnée pour cette période." in page


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", STATS_ROLES)
def test_the_number_of_queries_does_not_grow_with_the_data(db, communes, kind):
    counts = {"indicators": [], "dashboard": []}
    for seed, people in ((41, 2), (42, 25)):
        programme = ProgrammeFactory()
        FunderFactory(programme=programme)
        build(programme, seed=seed, people=people)
        client = logged_in(actor_of(programme, kind))
        counts["indicators"].append(queries_of(client, URL + "?from=2026-01-01&public=rsa"))
        counts["dashboard"].append(queries_of(client, reverse("www:dashboard")))
    for page, (small, large) in counts.items():
        assert small == large, (page, counts)
    # The session, the user, the membership; the indicators (10); the filter's choices (2)
    # on the page; « À faire » (4 for the Département and the operator) on the dashboard.
    assert max(counts["indicators"]) <= 17, counts
    assert max(counts["dashboard"]) <= 21, counts


# The dashboards


def test_the_department_dashboard_says_what_to_do(lozere):
    programme = lozere["programme"]
    ReferralFactory(beneficiary__programme=programme)
    actor = actor_of(programme, Kind.DEPARTMENT)
    response = logged_in(actor).get(reverse("www:dashboard"))
    body = response.content.decode()
    page = text(response)
    assert "À faire" in page
    assert (
        f'<a class="fr-link" href="{reverse("www:queue")}"><strong class="passnum-figure">1'
        "</strong> orientation en attente de décision</a>"
    ) in body
    assert "orientation en attente est un doublon possible" in page
    assert re.search(r"\d+</strong> personnes? à relancer", body)
    # The funnel and the months at a glance, and the way to every indicator.
    assert "Des pass en stock aux pass remboursés" in page
    assert "Chéquiers prescrits et pass utilisés, mois par mois" in page
    assert f'href="{URL}"' in body
    figures = indicators_for(actor)
    assert key_figure(response, "Taux d'utilisation").startswith(
        f"{figures.usage_rate * 100:.1f}".replace(".", ",")
    )


def test_the_operator_dashboard_says_what_to_do(lozere):
    response = logged_in(actor_of(lozere["programme"], Kind.OPERATOR)).get(
        reverse("www:dashboard")
    )
    body = response.content.decode()
    assert f'href="{reverse("www:statements")}?status=draft"' in body
    assert f'href="{reverse("www:providers")}?status=submitted"' in body
    assert f'href="{reverse("www:emails")}"' in body
    assert "relevé de remboursement à vérifier et valider" in text(response)
    assert "orientation en attente" not in text(response)  # the Département's job


def test_the_funder_dashboard_has_the_figures_and_nothing_to_do(lozere):
    response = logged_in(actor_of(lozere["programme"], Kind.FUNDER)).get(reverse("www:dashboard"))
    page = text(response)
    assert response.status_code == 200
    assert "À faire" not in page
    assert "Des pass en stock aux pass remboursés" in page
    assert "Part de chaque financeur dans le consommé" in page
    assert key_figure(response, "État")  # its share of what was consumed


@pytest.mark.parametrize("url", [URL, reverse("www:dashboard")])
def test_the_effect_of_reminders_is_shown_as_the_indicators_give_it(lozere, url):
    from passnum.common.formats import percent

    actor = actor_of(lozere["programme"], Kind.DEPARTMENT)
    response = logged_in(actor).get(url)
    effect = indicators_for(actor).reminders
    assert effect.not_reminded > 0
    assert key_figure(response, "Usage repris sans relance") == percent(effect.not_reminded_share)
    shown = key_figure(response, "Usage repris après une relance")
    if effect.reminded:
        assert shown == percent(effect.reminded_share)
    else:
        assert shown == "Aucun chéquier"
    assert "Une comparaison de deux groupes, pas la preuve d'un effet" in text(response)
