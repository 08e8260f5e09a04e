"""The public pages printed on the checkbook: « Vérifier mes pass », « Où utiliser mes pass »."""

import html
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passnum.common.models import ThrottleHit
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.enums import PassStatus
from passnum.passes.lookup import CODE_FAILURES, MAX_FAILURES
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.providers.selectors import distance_km
from passnum.referrals.services import prescribe
from passnum.territories.models import Commune
from tests.factories import (
    OrganisationFactory,
    ProgrammeFactory,
    ProviderPlaceFactory,
    ReferralFactory,
    set_status,
)

CHECK = reverse("www:check_passes")
WHERE = reverse("www:where")
VISITORS = [None, *OrganisationKind]


def text(response) -> str:
    return html.unescape(response.content.decode())


def plain(response) -> str:
    """The words of the main content, tags removed and blanks collapsed."""
    body = response.content.decode().split("<main")[1].split(">", 1)[1].split("</main>")[0]
    words = re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body))  # keeps no-break spaces
    return html.unescape(re.sub(r" ([,.])", r"\1", words)).strip()


def field_error(response, name: str) -> str:
    found = re.search(
        rf'<div[^>]*id="id_{name}-desc-error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip() if found else ""


def visitor(make_actor, kind) -> Client:
    """An anonymous visitor (``kind`` None) or a member of an organisation of that kind."""
    client = Client()
    if kind is not None:
        client.force_login(make_actor(kind).user)
    return client


def code_of(pass_) -> str:
    """The code as printed on the pass (« XXXX-XXXX-XXXX »)."""
    return codes.display(keys.decrypt(pass_.code_encrypted))


def nav(response) -> str:
    return response.content.decode().split('id="navigation-principale"')[1].split("</nav>")[0]


@pytest.fixture
def checkbook(make_actor, programme, communes):
    """A checkbook of 5 passes prescribed to Jeanne Confidentiel, of Rousses."""
    generate_passes(programme, 20)
    referral = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__first_name="Jeanne",
        beneficiary__last_name="Confidentiel",
        beneficiary__commune=Commune.objects.get(insee_code="48130"),
    )
    return prescribe(make_actor(OrganisationKind.DEPARTMENT), referral).checkbook


def passes_of(checkbook) -> list[Pass]:
    return list(checkbook.passes.order_by("serial"))


def check(client, code, **extra):
    return client.post(CHECK, {"code": code}, **extra)


# Both pages are public, in the navigation and linked from the home page


@pytest.mark.parametrize("kind", VISITORS)
@pytest.mark.parametrize(
    ("url", "heading", "current"),
    [
        (CHECK, "Vérifier mes pass", "Vérifier mes pass"),
        (WHERE, "Où utiliser mes pass", "Où utiliser mes pass"),
    ],
)
def test_public_pages_open_to_everyone(make_actor, kind, url, heading, current):
    response = visitor(make_actor, kind).get(url)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in text(response)
    links = re.findall(r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>', nav(response))
    if kind is None:
        # In the navigation of anonymous visitors (the holders of a checkbook).
        assert (WHERE, "Où utiliser mes pass") in links
        assert (CHECK, "Vérifier mes pass") in links
        active = re.findall(r'href="([^"]+)" aria-current="page"', nav(response))
        assert active == [url]
    else:
        # Members have their own tools in the navigation; the home page links to these.
        assert (WHERE, "Où utiliser mes pass") not in links


@pytest.mark.parametrize("kind", VISITORS)
def test_home_page_links_to_both_pages(make_actor, kind):
    body = text(visitor(make_actor, kind).get(reverse("www:home")))
    content = body.split('id="contenu"')[1].split('id="pied-de-page"')[0]
    assert f'href="{WHERE}">Où utiliser mes pass</a>' in content
    assert f'href="{CHECK}">Vérifier mes pass</a>' in content


def test_addresses_printed_on_the_checkbook_are_stable():
    assert CHECK == "/verifier-mes-pass/"
    assert WHERE == "/ou-utiliser-mes-pass/"


# « Vérifier mes pass »


def test_check_form_posts_a_code_with_a_csrf_token(client, db):
    response = client.get(CHECK)
    body = text(response)
    assert '<form method="post" action="/verifier-mes-pass/"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert re.search(r'<input type="text" name="code"[^>]*autocomplete="off"', body)
    assert '<label for="id_code" class="fr-label">' in body
    assert "no-store" in response.headers["Cache-Control"]
    # Without a valid token, the post is refused.
    strict = Client(enforce_csrf_checks=True)
    assert check(strict, "0000-0000-0000").status_code == 403


@pytest.mark.parametrize("kind", VISITORS)
def test_usable_pass_shows_what_is_left_in_the_checkbook(make_actor, checkbook, kind):
    first, second, *_rest = passes_of(checkbook)
    set_status([second], PassStatus.REDEEMED)
    response = check(visitor(make_actor, kind), code_of(first))
    assert response.status_code == 200
    page = plain(response)
    assert f"Pass n° {first.serial} Utilisable" in page
    assert "Valeur 10\u00a0€, une heure d'accompagnement" in page
    end = f"{checkbook.expires_on:%d/%m/%Y}"
    assert f"Fin de validité Valable jusqu'au {end}" in page
    assert (
        f"Votre chéquier contient encore 4 pass utilisables, celui-ci compris, valables "
        f"jusqu'au {end}." in page
    )
    assert f'href="{WHERE}"' in text(response).split('id="resultat-pass"')[1]
    assert "no-store" in response.headers["Cache-Control"]


def test_last_usable_pass_is_said_to_be_the_last(checkbook, client):
    *used, last = passes_of(checkbook)
    set_status(used, PassStatus.REIMBURSED)
    page = plain(check(client, code_of(last)))
    assert (
        f"C'est le dernier pass utilisable de votre chéquier ; il est valable jusqu'au "
        f"{last.expires_on:%d/%m/%Y}." in page
    )


def test_replacement_passes_count_with_the_checkbook(checkbook, client, make_actor):
    """A pass declared lost no longer counts; its replacement, in the same checkbook, does."""
    from passnum.passes.services import cancel_and_replace

    lost, kept, *_rest = passes_of(checkbook)
    cancel_and_replace(make_actor(OrganisationKind.DEPARTMENT), checkbook, [lost.serial], "Perdu.")
    page = plain(check(client, code_of(kept)))
    assert "Votre chéquier contient encore 5 pass utilisables" in page
    page = plain(check(client, code_of(lost)))
    assert f"Pass n° {lost.serial} Annulé (déclaré perdu ou volé)" in page
    assert "pass utilisables" not in page


@pytest.mark.parametrize(
    ("status", "label", "explanation"),
    [
        (PassStatus.REDEEMED, "Déjà utilisé", "Ce pass a déjà servi"),
        (PassStatus.REIMBURSED, "Déjà utilisé", "Ce pass a déjà servi"),
        (PassStatus.EXPIRED, "Expiré", "La date de fin de validité de ce pass est passée"),
        (
            PassStatus.CANCELLED,
            "Annulé (déclaré perdu ou volé)",
            "Ce pass a été déclaré perdu ou volé",
        ),
    ],
)
def test_each_status_of_a_checkbook_pass(checkbook, client, status, label, explanation):
    pass_ = passes_of(checkbook)[2]
    set_status([pass_], status)
    response = check(client, code_of(pass_))
    assert response.status_code == 200
    page = plain(response)
    assert f"Pass n° {pass_.serial} {label}" in page
    assert explanation in page
    assert f"Valable jusqu'au {pass_.expires_on:%d/%m/%Y}" in page
    assert "Utilisable" not in page
    assert "pass utilisables" not in page  # only a usable pass tells what is left


def test_pass_in_stock_is_not_yet_assigned(checkbook, client, programme):
    in_stock = Pass.objects.filter(programme=programme, status=PassStatus.AVAILABLE).first()
    page = plain(check(client, code_of(in_stock)))
    assert f"Pass n° {in_stock.serial} Pas encore attribué" in page
    assert "Ce pass n'a encore été remis à personne" in page
    assert "Valable jusqu'au" not in page  # a pass in stock has no end date yet


def test_assigned_pass_past_its_end_date_is_expired(checkbook, client):
    """The daily job has not run yet: past its end date, a pass is no longer usable."""
    yesterday = timezone.localdate() - timedelta(days=1)
    checkbook.passes.update(expires_on=yesterday)
    pass_ = passes_of(checkbook)[0]
    page = plain(check(client, code_of(pass_)))
    assert f"Pass n° {pass_.serial} Expiré" in page
    assert f"Valable jusqu'au {yesterday:%d/%m/%Y}" in page
    assert "pass utilisables" not in page


def test_codes_are_read_as_typed_on_paper(checkbook, client):
    pass_ = passes_of(checkbook)[0]
    typed = code_of(pass_).lower().replace("-", " ").replace("1", "l").replace("0", "o")
    page = plain(check(client, f"  {typed} "))
    assert f"Pass n° {pass_.serial} Utilisable" in page


def test_a_pass_of_any_programme_is_found(checkbook, client):
    """A code is unique in the whole database: the page finds it whatever its programme."""
    other = ProgrammeFactory(territory_code="12", name="Pass numérique Aveyron")
    generate_passes(other, 5)
    elsewhere = Pass.objects.filter(programme=other).first()
    page = plain(check(client, code_of(elsewhere)))
    assert f"Pass n° {elsewhere.serial} Pas encore attribué" in page


def test_no_personal_data_in_the_page(checkbook, client):
    pass_ = passes_of(checkbook)[0]
    body = text(check(client, code_of(pass_)))
    assert f"Pass n° {pass_.serial}" in body
    for personal in ("Jeanne", "Confidentiel", "Rousses", checkbook.beneficiary.birth_date):
        assert str(personal) not in body
    assert f"{checkbook.beneficiary.birth_date:%d/%m/%Y}" not in body
    # The code is shown in the input only, where the visitor typed it.
    assert body.count(code_of(pass_)) == 1
    assert f'name="code" value="{code_of(pass_)}"' in body


def test_malformed_code_is_refused_on_the_field(checkbook, client):
    pass_ = passes_of(checkbook)[0]
    code = code_of(pass_)
    mistyped = ("A" if code[0] != "A" else "B") + code[1:]  # one symbol changed
    response = check(client, mistyped)
    assert response.status_code == 200
    assert field_error(response, "code") == codes.MalformedCode.message
    assert 'id="erreurs"' in text(response)  # the DSFR error summary links to the field
    assert 'href="#id_code">Code du pass</a>' in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert pass_.serial not in text(response)
    assert CODE_FAILURES.stored("ip:127.0.0.1").count() == 1


def test_unknown_code_is_refused_on_the_field(checkbook, client):
    unknown = codes.display(codes.generate())
    response = check(client, unknown)
    assert response.status_code == 200
    error = field_error(response, "code")
    assert error.startswith("Aucun pass ne correspond à ce code.")
    assert "structure qui vous a orienté" in error
    assert "Pass n°" not in text(response)
    assert CODE_FAILURES.stored("ip:127.0.0.1").count() == 1


def test_empty_code_is_asked_for_without_a_lookup(client, db):
    response = check(client, "  ")
    assert response.status_code == 200
    assert field_error(response, "code") == "Indiquez le code imprimé sur votre pass."
    assert not ThrottleHit.objects.exists()


def test_twenty_failures_from_one_address_block_it_but_not_another(checkbook, client):
    good = code_of(passes_of(checkbook)[0])
    for _ in range(MAX_FAILURES):
        response = check(client, codes.display(codes.generate()), REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200
        assert field_error(response, "code").startswith("Aucun pass ne correspond")
    # The next attempt from that address is refused, even with a good code.
    response = check(client, good, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    page = plain(response)
    assert "Vérification momentanément impossible" in page
    assert "Trop de codes erronés : réessayez dans 15 minutes." in page
    assert 'role="alert"' in text(response)
    assert "Utilisable" not in page
    # Another address still checks its passes.
    response = check(client, good, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 200
    assert "Utilisable" in plain(response)


def test_a_forged_forwarded_header_does_not_escape_the_throttle(checkbook, client):
    """Without trusted proxies (``PROXY_COUNT`` unset), the address is the connection's."""
    for n in range(3):
        check(
            client,
            codes.display(codes.generate()),
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert CODE_FAILURES.stored("ip:203.0.113.7").count() == 3
    assert not any(CODE_FAILURES.stored(f"ip:198.51.100.{n}").exists() for n in range(3))


@override_settings(
    AXES_IPWARE_PROXY_COUNT=1,
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
)
def test_behind_a_proxy_the_address_is_found_as_for_logins(checkbook, client):
    check(
        client,
        codes.display(codes.generate()),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1",
    )
    assert list(ThrottleHit.objects.values_list("key", flat=True)) == [
        CODE_FAILURES.digest("ip:198.51.100.9")
    ]


def test_check_page_queries_are_few(checkbook, client, django_assert_max_num_queries):
    code = code_of(passes_of(checkbook)[0])
    # programme of the digest, throttle, the pass, what is left in its checkbook
    with django_assert_max_num_queries(4):
        response = check(client, code)
    assert "Utilisable" in plain(response)


# « Où utiliser mes pass »


def commune(insee_code) -> Commune:
    return Commune.objects.get(insee_code=insee_code)


@pytest.fixture
def places(programme, communes):
    """Accredited places in four Lozère towns, one of them with a phone and an address."""
    return {
        "Marvejols": ProviderPlaceFactory(
            organisation__programme=programme,
            organisation__name="Mission Locale Lozère",
            name="Antenne de Marvejols",
            commune=commune("48092"),
            address="2 avenue de Brazza",
            phone="04 66 32 00 00",
            services=["parentalite", "securite"],
        ),
        "Mende": ProviderPlaceFactory(
            organisation__programme=programme,
            organisation__name="France Services Mende",
            name="France Services Mende",
            commune=commune("48095"),
            services=["demarches_administratives"],
        ),
        "Langogne": ProviderPlaceFactory(
            organisation__programme=programme,
            name="Tiers-lieu de Langogne",
            commune=commune("48080"),
            services=["parentalite"],
        ),
        "Florac": ProviderPlaceFactory(
            organisation__programme=programme,
            name="Num'n'coop Florac",
            commune=commune("48061"),
            services=["outils_quotidien"],
        ),
    }


def names_in_order(response) -> list[str]:
    return [
        html.unescape(n)
        for n in re.findall(r'<h3 class="fr-card__title">([^<]+)</h3>', text(response))
    ]


def km(origin: Commune, place) -> str:
    distance = distance_km(origin.latitude, origin.longitude, place.latitude, place.longitude)
    return f"{distance:.1f}".replace(".", ",") + "\u00a0km"


def test_where_without_a_commune_shows_the_form_and_explains(client, places):
    response = client.get(WHERE)
    body = text(response)
    assert response.status_code == 200
    assert '<form method="get" action="/ou-utiliser-mes-pass/"' in body
    assert 'name="commune"' in body
    assert body.count('<option value="') == 9  # « Tous les services » and the 8 services
    assert "Aide aux démarches administratives</option>" in body
    assert 'name="parcours"' not in body
    assert "Indiquez votre commune : la liste des lieux habilités" in body
    assert names_in_order(response) == []
    assert field_error(response, "commune") == ""


@pytest.mark.parametrize("kind", VISITORS)
def test_places_nearest_first_with_their_distance(make_actor, places, kind):
    mende = commune("48095")
    response = visitor(make_actor, kind).get(WHERE, {"commune": "Mende"})
    assert response.status_code == 200
    expected = sorted(
        places.values(),
        key=lambda p: distance_km(mende.latitude, mende.longitude, p.latitude, p.longitude),
    )
    assert names_in_order(response) == [p.name for p in expected]
    assert names_in_order(response)[0] == "France Services Mende"
    page = plain(response)
    assert "4 lieux habilités autour de Mende" in page
    for place in places.values():
        assert f"{place.name} " in page
        assert f"À {km(mende, place)}" in page
    assert "À 0,0\u00a0km" in page  # the place in Mende itself
    marvejols = text(response).split("Antenne de Marvejols")[1].split("</li>\n")[0]
    assert "Mission Locale Lozère" in marvejols  # organisation named when the place is not
    assert "2 avenue de Brazza, Marvejols" in marvejols
    assert '<a href="tel:0466320000">04 66 32 00 00</a>' in marvejols
    assert "<li>Parentalité et éducation avec le numérique</li>" in marvejols
    assert "<li>Utilisation sécurisée du numérique</li>" in marvejols
    mende_card = text(response).split('<h3 class="fr-card__title">France Services Mende')[1]
    mende_card = mende_card.split("</li>")[0]
    assert "France Services Mende</p>" not in mende_card  # named once
    assert "Téléphone" not in mende_card


def test_places_by_distance_from_another_commune(places, client):
    langogne = commune("48080")
    response = client.get(WHERE, {"commune": "Langogne"})
    expected = sorted(
        places.values(),
        key=lambda p: distance_km(langogne.latitude, langogne.longitude, p.latitude, p.longitude),
    )
    assert names_in_order(response) == [p.name for p in expected]
    assert names_in_order(response)[:2] == ["Tiers-lieu de Langogne", "France Services Mende"]
    assert f"À {km(langogne, places['Marvejols'])}" in plain(response)


def test_service_filter(places, client):
    response = client.get(WHERE, {"commune": "Mende", "service": "parentalite"})
    assert names_in_order(response) == ["Antenne de Marvejols", "Tiers-lieu de Langogne"]
    page = plain(response)
    assert (
        "2 lieux habilités autour de Mende pour « Parentalité et éducation avec le numérique »"
        in page
    )
    assert 'value="parentalite" selected' in text(response)


def test_one_place_in_the_singular(places, client):
    response = client.get(WHERE, {"commune": "Mende", "service": "outils_quotidien"})
    assert names_in_order(response) == ["Num'n'coop Florac"]
    assert "1 lieu habilité autour de Mende pour « Maîtrise" in plain(response)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("48330", "Saint-Étienne-Vallée-Française"),  # the postal code of one commune only
        ("48000 Mende", "Mende"),
        ("48092", "Marvejols"),  # INSEE code
        ("st chely d'apcher", "Saint-Chély-d'Apcher"),
    ],
)
def test_commune_by_postal_code_insee_code_or_name(places, client, typed, found):
    response = client.get(WHERE, {"commune": typed})
    assert response.status_code == 200
    assert field_error(response, "commune") == ""
    assert f"4 lieux habilités autour de {found}" in plain(response)
    assert f'value="{typed}"' in html.unescape(response.content.decode())


def test_ambiguous_commune_is_explained_on_the_field(places, client):
    # 48130 is the INSEE code of Rousses and the postal code of Peyre en Aubrac.
    response = client.get(WHERE, {"commune": "48130"})
    assert response.status_code == 200
    assert field_error(response, "commune") == (
        "« 48130 » est le code INSEE de Rousses et le code postal de Peyre en Aubrac. "
        "Indiquez le nom de la commune."
    )
    assert names_in_order(response) == []
    assert 'href="#id_commune">Votre commune</a>' in text(response)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Paris", "Aucune commune du territoire ne correspond à « Paris »."),
        ("", "Indiquez votre commune (nom, code postal ou code INSEE)."),
    ],
)
def test_unknown_or_missing_commune(places, client, typed, message):
    response = client.get(WHERE, {"commune": typed})
    assert response.status_code == 200
    assert field_error(response, "commune") == message
    assert names_in_order(response) == []
    assert "Aucun lieu habilité" not in plain(response)


def test_unknown_service_is_refused(places, client):
    response = client.get(WHERE, {"commune": "Mende", "service": "astrologie"})
    assert field_error(response, "service") == (
        "Ce service n'existe pas : choisissez-en un de la liste."
    )
    assert names_in_order(response) == []


def test_parcours_keeps_the_places_that_offer_it(places, client, programme):
    from passnum.paths.models import Path, PathOffer

    path = Path.objects.create(
        programme=programme, name="Parentalité numérique", services=["parentalite"]
    )
    PathOffer.objects.create(path=path, place=places["Langogne"])
    response = client.get(WHERE, {"commune": "Mende", "parcours": str(path.pk)})
    assert names_in_order(response) == ["Tiers-lieu de Langogne"]
    assert "qui proposent le parcours « Parentalité numérique »" in plain(response)
    # an inactive, unknown or malformed path is ignored: every place is listed
    Path.objects.filter(pk=path.pk).update(is_active=False)
    for value in (str(path.pk), "999999", "identite-numerique"):
        response = client.get(WHERE, {"commune": "Mende", "parcours": value})
        assert response.status_code == 200
        assert len(names_in_order(response)) == 4


@pytest.mark.parametrize(
    "value", ["²", "1²", "٣", "-1", "0", str(2**63), "9" * 40, "1.5", "", " "]
)
def test_a_parcours_that_is_not_an_id_is_ignored(places, client, value):
    """``str.isdigit()`` accepts « ² », ``int()`` does not; a number beyond 64 bits names no
    path: either way the page lists every place, never a server error."""
    response = client.get(WHERE, {"commune": "Mende", "parcours": value})
    assert response.status_code == 200
    assert len(names_in_order(response)) == 4


def test_only_accredited_places(programme, communes, client):
    ProviderPlaceFactory(
        organisation__programme=programme,
        name="Lieu en attente d'habilitation",
        commune=commune("48095"),
        accredited=False,
    )
    response = client.get(WHERE, {"commune": "Mende"})
    assert names_in_order(response) == []
    page = plain(response)
    assert "Lieu en attente d'habilitation" not in page
    assert "Aucun lieu habilité trouvé" in page
    assert "Aucun lieu habilité n'accueille encore de pass sur le territoire de Mende" in page


def test_no_place_offers_the_service(places, client):
    response = client.get(WHERE, {"commune": "Mende", "service": "acces_materiel"})
    assert names_in_order(response) == []
    assert (
        "Aucun lieu habilité ne propose encore « Accès internet et matériel informatique » "
        "sur le territoire." in plain(response)
    )


def test_places_of_the_running_programme_only(places, programme, client):
    """The commune's department may have had an earlier programme: its places are not shown."""
    today = timezone.localdate()
    assert programme.starts_on <= today <= programme.ends_on
    old = ProgrammeFactory(starts_on=date(2020, 1, 1), ends_on=date(2022, 12, 31))
    ProviderPlaceFactory(
        organisation__programme=old, name="Lieu de l'ancien programme", commune=commune("48095")
    )
    response = client.get(WHERE, {"commune": "Mende"})
    assert "Lieu de l'ancien programme" not in names_in_order(response)
    assert len(names_in_order(response)) == 4


def test_latest_programme_when_none_is_running(communes, client):
    ProgrammeFactory(starts_on=date(2018, 1, 1), ends_on=date(2019, 12, 31))
    latest = ProgrammeFactory(starts_on=date(2020, 1, 1), ends_on=date(2022, 12, 31))
    ProviderPlaceFactory(
        organisation__programme=latest, name="Lieu du dernier programme", commune=commune("48095")
    )
    assert names_in_order(client.get(WHERE, {"commune": "Mende"})) == ["Lieu du dernier programme"]


def test_communes_of_every_programme_territory(places, client):
    """With a programme in another department, its communes are found too, and a name that
    exists in both departments asks for the INSEE code."""
    aveyron = ProgrammeFactory(territory_code="12", name="Pass numérique Aveyron")
    rodez = Commune.objects.create(
        insee_code="12202", name="Rodez", department_code="12", latitude="44.35", longitude="2.57"
    )
    Commune.objects.create(
        insee_code="12999", name="Mende", department_code="12", latitude="44.3", longitude="2.5"
    )
    ProviderPlaceFactory(organisation__programme=aveyron, name="Lieu de Rodez", commune=rodez)
    response = client.get(WHERE, {"commune": "Rodez"})
    assert names_in_order(response) == ["Lieu de Rodez"]  # the Aveyron programme's places
    response = client.get(WHERE, {"commune": "Mende"})
    assert field_error(response, "commune") == (
        "Plusieurs communes correspondent à « Mende » : Mende (12999), Mende (48095). "
        "Indiquez le code INSEE de la vôtre."
    )
    response = client.get(WHERE, {"commune": "48095"})
    assert len(names_in_order(response)) == 4


def test_where_queries_do_not_grow_with_the_places(
    programme, communes, client, django_assert_max_num_queries
):
    ProviderPlaceFactory(organisation__programme=programme, commune=commune("48095"))
    with CaptureQueriesContext(connection) as few:
        assert len(names_in_order(client.get(WHERE, {"commune": "Mende"}))) == 1
    for insee_code in ("48092", "48080", "48061", "48140", "48034", "48096", "48146"):
        for _ in range(2):
            ProviderPlaceFactory(
                organisation=OrganisationFactory(programme=programme, provider=True),
                commune=commune(insee_code),
                phone="04 66 00 00 00",
            )
    assert len(few) <= 4  # the programmes, the commune, its postal codes, the places
    with django_assert_max_num_queries(len(few)):
        response = client.get(WHERE, {"commune": "Mende"})
    assert len(names_in_order(response)) == 15
