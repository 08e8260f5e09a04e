"""The operator's misuse page: passes redeemed by a provider for its own orientations."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from tests.factories import OrganisationFactory, ReferralFactory
from tests.reporting.factories import redeem_directly

Kind = OrganisationKind
SIRET = "13002526500013"


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def plain(response) -> str:
    without_tags = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", without_tags)


def rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S).group(1)
    return [
        re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row))).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def redeemed(programme, make_actor):
    """The Mission Locale redeemed 2 passes of its own orientations and 1 of the CCAS;
    Num'n'coop redeemed 2 passes of the Mission Locale's orientations."""
    department = make_actor(Kind.DEPARTMENT)

    def org(kind, name, siret=""):
        return OrganisationFactory(programme=programme, kind=kind, name=name, siret=siret)

    ml_referrer = org(Kind.REFERRER, "Mission Locale Lozère", SIRET)
    ml_provider = org(Kind.PROVIDER, "Mission Locale Lozère — ateliers", SIRET)
    ccas = org(Kind.REFERRER, "CCAS de Mende")
    numncoop = org(Kind.PROVIDER, "Num'n'coop", "44306184100047")

    def passes_of(referrer):
        generate_passes(programme, 5)
        referral = ReferralFactory(beneficiary__programme=programme, organisation=referrer)
        return list(prescribe(department, referral).checkbook.passes.order_by("serial"))

    own, other = passes_of(ml_referrer), passes_of(ccas)
    redeem_directly(ml_provider, [*own[:2], other[0]])
    redeem_directly(numncoop, own[2:4])


def test_the_operator_sees_each_provider_highest_share_first(make_actor, redeemed):
    response = logged_in(make_actor(Kind.OPERATOR)).get(reverse("www:misuse"))

    assert response.status_code == 200
    page = plain(response)
    assert "Pass encaissés pour ses propres orientations" in page
    assert "même numéro SIRET" in page
    assert rows(response) == [
        "Mission Locale Lozère — ateliers 13002526500013 2 3 66,7\u00a0%",
        "Num'n'coop 44306184100047 0 2 0,0\u00a0%",
    ]


def test_an_empty_programme_says_so(make_actor):
    response = logged_in(make_actor(Kind.OPERATOR)).get(reverse("www:misuse"))

    assert response.status_code == 200
    assert "Aucun pass n'a encore été encaissé dans ce programme." in plain(response)
    assert "<table" not in response.content.decode()


def test_a_burst_of_passes_of_many_checkbooks_in_one_day_is_signalled(programme, make_actor):
    department = make_actor(Kind.DEPARTMENT)
    provider = OrganisationFactory(programme=programme, kind=Kind.PROVIDER, name="Lieu pressé")
    calm = OrganisationFactory(programme=programme, kind=Kind.PROVIDER, name="Lieu calme")
    generate_passes(programme, 25)
    checkbooks = [
        prescribe(department, ReferralFactory(beneficiary__programme=programme)).checkbook
        for _ in range(5)
    ]
    passes = [p for c in checkbooks for p in c.passes.order_by("serial")]
    redeem_directly(provider, passes[:15])  # 15 passes of 3 checkbooks: not yet a burst
    redeem_directly(calm, passes[15:20])
    page = logged_in(make_actor(Kind.OPERATOR)).get(reverse("www:misuse"))
    assert "Aucune rafale d'encaissements." in plain(page)

    redeem_directly(provider, passes[20:21])  # a 16th pass, of a 4th checkbook: a burst
    page = plain(logged_in(make_actor(Kind.OPERATOR)).get(reverse("www:misuse")))
    assert "Aucune rafale" not in page
    assert "Lieu pressé" in page.split("Rafales d'encaissements")[1]
    assert "Lieu calme" not in page.split("Rafales d'encaissements")[1]


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER, Kind.FUNDER])
def test_other_roles_are_refused(make_actor, redeemed, kind):
    response = logged_in(make_actor(kind)).get(reverse("www:misuse"))

    assert response.status_code == 403
    assert "Mission Locale Lozère — ateliers" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    response = Client().get(reverse("www:misuse"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_operator_of_another_programme_sees_only_its_own(make_actor, redeemed):
    other_operator = make_actor(
        Kind.OPERATOR, organisation=OrganisationFactory(kind=Kind.OPERATOR)
    )  # a new programme

    response = logged_in(other_operator).get(reverse("www:misuse"))

    assert "Aucun pass n'a encore été encaissé dans ce programme." in plain(response)
