"""Providers' pages: « Ma structure habilitée », the operator's « Structures » and « Parcours »."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind
from passnum.paths.models import Path, PathModule, PathOffer
from passnum.providers.models import AccreditationEvent, AccreditationStatus, BankDetails, Place
from passnum.territories.models import Commune
from tests.factories import (
    AccreditationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProviderPlaceFactory,
)
from tests.providers.factories import VALID_BIC, VALID_IBAN, BankDetailsFactory, PathFactory
from tests.www.test_referrals_pages import field_error, logged_in, plain, text

REFERRER = OrganisationKind.REFERRER
DEPARTMENT = OrganisationKind.DEPARTMENT
PROVIDER = OrganisationKind.PROVIDER
OPERATOR = OrganisationKind.OPERATOR
S = AccreditationStatus


@pytest.fixture
def provider(make_actor):
    return make_actor(PROVIDER)


@pytest.fixture
def operator(make_actor):
    return make_actor(OPERATOR)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


PAGES = {
    "provider_accreditation": {PROVIDER: 200, REFERRER: 403, DEPARTMENT: 403, OPERATOR: 403},
    "provider_place_new": {PROVIDER: 200, REFERRER: 403, DEPARTMENT: 403, OPERATOR: 403},
    "providers": {OPERATOR: 200, REFERRER: 403, DEPARTMENT: 403, PROVIDER: 403},
    "providers_csv": {OPERATOR: 200, REFERRER: 403, DEPARTMENT: 403, PROVIDER: 403},
    "provider_detail": {OPERATOR: 200, REFERRER: 403, DEPARTMENT: 403, PROVIDER: 403},
    "paths": {OPERATOR: 200, REFERRER: 403, DEPARTMENT: 403, PROVIDER: 403},
    "path_new": {OPERATOR: 200, REFERRER: 403, DEPARTMENT: 403, PROVIDER: 403},
    "path_edit": {OPERATOR: 200, REFERRER: 403, DEPARTMENT: 403, PROVIDER: 403},
}


def url_of(page, programme):
    if page == "provider_detail":
        return reverse("www:provider_detail", args=[ProviderPlaceFactory().organisation.pk])
    if page == "path_edit":
        return reverse("www:path_edit", args=[PathFactory(programme=programme).pk])
    return reverse(f"www:{page}")


@pytest.mark.parametrize(
    ("page", "kind", "status"),
    [(page, kind, status) for page, roles in PAGES.items() for kind, status in roles.items()],
)
def test_pages_per_role(make_actor, programme, page, kind, status):
    actor = make_actor(kind)
    url = url_of(page, programme)
    if page == "provider_detail":  # a provider of the actor's programme
        organisation = OrganisationFactory(programme=programme, provider=True)
        url = reverse("www:provider_detail", args=[organisation.pk])
    response = logged_in(actor).get(url)
    assert response.status_code == status
    if status == 403:
        assert "Accès refusé" in text(response)


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_people_are_sent_to_log_in(client, programme, page):
    response = client.get(url_of(page, programme))
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")


# « Ma structure habilitée »


def test_new_provider_sees_what_is_missing(provider):
    response = logged_in(provider).get(reverse("www:provider_accreditation"))
    body = plain(response)
    assert "Brouillon" in body
    assert (
        "Avant d'envoyer la demande, ajoutez au moins un lieu et les coordonnées bancaires."
        in body
    )
    assert "Envoyer la demande d'habilitation" not in body
    assert "Aucun lieu pour l'instant." in body
    assert "Aucune étape pour l'instant." in body


def test_provider_gives_bank_details_then_submits(provider):
    client = logged_in(provider)
    ProviderPlaceFactory(organisation=provider.organisation, accredited=False)
    response = client.post(
        reverse("www:provider_bank"),
        {
            "account_holder": "Ma structure",
            "iban": "FR76 3000 6000 0112 3456 7890 189",
            "bic": "agrifrpp",
        },
        follow=True,
    )
    assert "Coordonnées bancaires enregistrées." in messages_of(response)
    assert BankDetails.objects.get().iban == VALID_IBAN
    body = text(response)
    assert 'value="FR76 3000 6000 0112 3456 7890 189"' in body  # shown grouped by four
    assert "Envoyer la demande d'habilitation" in body

    response = client.post(reverse("www:provider_submit"), follow=True)
    assert "Votre demande d'habilitation est envoyée" in messages_of(response)
    body = plain(response)
    assert "Demande envoyée" in body
    assert "Brouillon → Demande envoyée" in body  # the history
    assert "Envoyer la demande d'habilitation" not in body


def test_submitting_again_says_why_not(provider):
    AccreditationFactory(organisation=provider.organisation, status=S.SUBMITTED)
    response = logged_in(provider).post(reverse("www:provider_submit"), follow=True)
    assert "L'habilitation est « demande envoyée »" in messages_of(response)
    assert not AccreditationEvent.objects.exists()


def test_invalid_iban_is_shown_on_its_field(provider):
    response = logged_in(provider).post(
        reverse("www:provider_bank"),
        {
            "account_holder": "Ma structure",
            "iban": "FR7630006000011234567890188",
            "bic": VALID_BIC,
        },
    )
    assert response.status_code == 200
    assert field_error(response, "iban") == "IBAN invalide : la clé de contrôle ne correspond pas."
    assert not BankDetails.objects.exists()


def test_bad_bic_is_shown_on_its_field(provider):
    response = logged_in(provider).post(
        reverse("www:provider_bank"),
        {"account_holder": "Ma structure", "iban": VALID_IBAN, "bic": "AGRIXXPP"},
    )
    assert field_error(response, "bic").startswith("BIC invalide")
    assert not BankDetails.objects.exists()


def place_form(**changes):
    data = {
        "name": "Espace numérique",
        "address": "Place du Foirail",
        "commune": "Marvejols",
        "services": ["outils_quotidien", "securite"],
        "publics": ["senior"],
        "opening_hours": "Mo-Fr 09:00-12:00",
        "access_modes": ["se_presenter"],
        "support_modes": ["dans_un_atelier"],
        "phone": "04 66 32 00 00",
        "email": "espace@exemple.fr",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_provider_adds_and_changes_a_place(provider, communes):
    client = logged_in(provider)
    response = client.post(reverse("www:provider_place_new"), place_form(), follow=True)
    assert "Lieu « Espace numérique » ajouté." in messages_of(response)
    place = Place.objects.get()
    assert place.commune.insee_code == "48092"
    assert place.latitude == Commune.objects.get(insee_code="48092").latitude
    assert "Espace numérique" in plain(response)

    edit = client.get(reverse("www:provider_place_edit", args=[place.pk]))
    assert 'value="Espace numérique"' in text(edit)
    response = client.post(
        reverse("www:provider_place_edit", args=[place.pk]),
        place_form(name="Espace numérique du Gévaudan", is_itinerant="on"),
        follow=True,
    )
    assert "Lieu « Espace numérique du Gévaudan » modifié." in messages_of(response)
    place.refresh_from_db()
    assert (place.name, place.is_itinerant) == ("Espace numérique du Gévaudan", True)


def test_place_errors_are_shown_on_their_field(provider, communes):
    response = logged_in(provider).post(
        reverse("www:provider_place_new"), place_form(services=None, email="pas-un-courriel")
    )
    assert response.status_code == 200
    assert "au moins un service" in field_error(response, "services")
    assert not Place.objects.exists()
    response = logged_in(provider).post(
        reverse("www:provider_place_new"), place_form(email="pas-un-courriel")
    )
    assert field_error(response, "email") == "Le courriel n'est pas valide."


def test_another_providers_place_is_not_found(provider):
    theirs = ProviderPlaceFactory()
    client = logged_in(provider)
    assert client.get(reverse("www:provider_place_edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("www:provider_place_offer", args=[theirs.pk]), {"path": 1}).status_code
        == 404
    )


def test_provider_offers_and_withdraws_a_path(provider, programme):
    place = ProviderPlaceFactory(organisation=provider.organisation, services=["securite"])
    path = PathFactory(programme=programme, name="Identité numérique", services=["securite"])
    client = logged_in(provider)
    response = client.post(
        reverse("www:provider_place_offer", args=[place.pk]), {"path": path.pk}, follow=True
    )
    assert f"« {place.name} » propose désormais « Identité numérique »." in messages_of(response)
    assert PathOffer.objects.filter(path=path, place=place).exists()
    assert "Identité numérique (2 h)" in plain(response)
    response = client.post(
        reverse("www:provider_place_withdraw", args=[place.pk, path.pk]), follow=True
    )
    assert f"« {place.name} » ne propose plus « Identité numérique »." in messages_of(response)
    assert not PathOffer.objects.exists()


def test_offer_error_is_shown_on_the_places_field(provider, programme):
    place = ProviderPlaceFactory(organisation=provider.organisation, services=["securite"])
    path = PathFactory(programme=programme, services=["parentalite"])
    response = logged_in(provider).post(
        reverse("www:provider_place_offer", args=[place.pk]), {"path": path.pk}
    )
    assert response.status_code == 200
    assert "ne propose pas tous les services" in field_error(response, f"lieu{place.pk}_path")
    assert not PathOffer.objects.exists()


def test_provider_page_queries_do_not_grow_with_places(provider, programme):
    paths = [PathFactory(programme=programme, services=["outils_quotidien"]) for _ in range(3)]
    BankDetailsFactory(organisation=provider.organisation)
    client = logged_in(provider)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("www:provider_accreditation")).status_code == 200
        return len(queries)

    place = ProviderPlaceFactory(organisation=provider.organisation)
    PathOffer.objects.create(path=paths[0], place=place)
    few = count()
    for _ in range(5):
        place = ProviderPlaceFactory(organisation=provider.organisation)
        for path in paths[:2]:
            PathOffer.objects.create(path=path, place=place)
    assert count() == few


# « Structures » (the operator)


def test_operator_lists_providers_submitted_first(operator, programme):
    def provider_named(name, status=None):
        organisation = OrganisationFactory(programme=programme, provider=True, name=name)
        if status:
            AccreditationFactory(organisation=organisation, status=status)
        return organisation

    provider_named("A habilitée", S.ACCREDITED)
    provider_named("B sans demande")
    provider_named("C en attente", S.SUBMITTED)
    provider_named("D suspendue", S.SUSPENDED)
    OrganisationFactory(provider=True, name="Autre programme")
    OrganisationFactory(programme=programme, referrer=True, name="Orienteur")
    response = logged_in(operator).get(reverse("www:providers"))
    listed = [p.name for p in response.context["page"]]
    assert listed == ["C en attente", "A habilitée", "B sans demande", "D suspendue"]
    body = plain(response)
    assert "4 structures" in body
    assert "Brouillon" in body
    assert "Suspendue" in body

    filtered = logged_in(operator).get(reverse("www:providers"), {"status": "suspended"})
    assert [p.name for p in filtered.context["page"]] == ["D suspendue"]
    drafts = logged_in(operator).get(reverse("www:providers"), {"status": "draft"})
    assert [p.name for p in drafts.context["page"]] == ["B sans demande"]


def test_providers_list_queries_do_not_grow(operator, programme):
    client = logged_in(operator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("www:providers")).status_code == 200
        return len(queries)

    ProviderPlaceFactory(organisation__programme=programme)
    few = count()
    for _ in range(6):
        ProviderPlaceFactory(organisation__programme=programme)
    assert count() == few


def submitted_provider(programme):
    place = ProviderPlaceFactory(organisation__programme=programme, accredited=False)
    BankDetailsFactory(organisation=place.organisation)
    AccreditationFactory(organisation=place.organisation, status=S.SUBMITTED)
    return place.organisation


def test_operator_accredits_a_provider(operator, programme):
    organisation = submitted_provider(programme)
    client = logged_in(operator)
    page = client.get(reverse("www:provider_detail", args=[organisation.pk]))
    body = text(page)
    assert "Enregistrer la décision" in body
    assert 'value="suspended"' not in body  # only the decisions the status permits
    assert "FR76 3000 6000 0112 3456 7890 189" in body
    response = client.post(
        reverse("www:provider_decide", args=[organisation.pk]),
        {"decision": "accredited", "reason": ""},
        follow=True,
    )
    assert f"l'habilitation de « {organisation.name} » est « habilitée »" in messages_of(response)
    organisation.accreditation.refresh_from_db()
    assert organisation.accreditation.status == S.ACCREDITED
    event = AccreditationEvent.objects.get()
    assert (event.before, event.after, event.user) == (S.SUBMITTED, S.ACCREDITED, operator.user)
    assert "Demande envoyée → Habilitée" in plain(response)


def test_refusing_without_a_reason_shows_the_error_on_the_field(operator, programme):
    organisation = submitted_provider(programme)
    response = logged_in(operator).post(
        reverse("www:provider_decide", args=[organisation.pk]), {"decision": "refused"}
    )
    assert response.status_code == 200
    assert "Indiquez le motif" in field_error(response, "reason")
    assert not AccreditationEvent.objects.exists()


def test_an_impossible_decision_is_explained(operator, programme):
    organisation = submitted_provider(programme)
    response = logged_in(operator).post(
        reverse("www:provider_decide", args=[organisation.pk]),
        {"decision": "suspended", "reason": "Pour voir"},
        follow=True,
    )
    assert "L'habilitation est « demande envoyée »" in messages_of(response)
    assert not AccreditationEvent.objects.exists()


def test_another_programmes_provider_is_not_found(operator):
    elsewhere = submitted_provider(ProgrammeFactory())
    client = logged_in(operator)
    assert client.get(reverse("www:provider_detail", args=[elsewhere.pk])).status_code == 404
    response = client.post(
        reverse("www:provider_decide", args=[elsewhere.pk]), {"decision": "accredited"}
    )
    assert response.status_code == 404
    assert not AccreditationEvent.objects.exists()


@pytest.mark.parametrize("kind", [REFERRER, DEPARTMENT, PROVIDER])
def test_only_the_operator_decides_on_the_web(make_actor, programme, kind):
    organisation = submitted_provider(programme)
    actor = make_actor(kind, organisation=organisation) if kind == PROVIDER else make_actor(kind)
    response = logged_in(actor).post(
        reverse("www:provider_decide", args=[organisation.pk]), {"decision": "accredited"}
    )
    assert response.status_code == 403
    assert not AccreditationEvent.objects.exists()


def test_operator_downloads_the_accredited_places(operator, programme):
    ProviderPlaceFactory(organisation__programme=programme, name="Lieu habilité")
    ProviderPlaceFactory(
        organisation__programme=programme, name="Lieu en attente", accredited=False
    )
    response = logged_in(operator).get("/espace/structures/lieux.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [r["nom"] for r in rows] == ["Lieu habilité"]


# « Parcours » (the operator)


def path_form(**changes):
    data = {
        "name": "Accès aux droits",
        "description": "",
        "services": ["demarches_administratives", "securite"],
        "target_publics": ["rsa"],
        "is_active": "on",
        "module_1_title": "Créer son espace France Connect",
        "module_1_hours": "2",
        "module_2_title": "",
        "module_2_hours": "",
        "module_3_title": "Sécuriser ses comptes",
        "module_3_hours": "1",
    }
    data.update(changes)
    return data


def test_operator_creates_and_changes_a_path(operator):
    client = logged_in(operator)
    form = client.get(reverse("www:path_new"))
    assert text(form).count('name="module_') == 12  # 6 rows of title and hours
    response = client.post(reverse("www:path_new"), path_form(), follow=True)
    assert "Parcours « Accès aux droits » créé (3 h)." in messages_of(response)
    path = Path.objects.get()
    assert [(m.position, m.title, m.hours) for m in path.modules.all()] == [
        (1, "Créer son espace France Connect", 2),
        (2, "Sécuriser ses comptes", 1),
    ]
    assert "Accès aux droits" in plain(response)

    edit = client.get(reverse("www:path_edit", args=[path.pk]))
    assert 'value="Sécuriser ses comptes"' in text(edit)
    response = client.post(
        reverse("www:path_edit", args=[path.pk]),
        path_form(is_active="", module_3_title="", module_3_hours=""),
        follow=True,
    )
    assert "Parcours « Accès aux droits » enregistré (2 h)." in messages_of(response)
    path.refresh_from_db()
    assert not path.is_active
    assert PathModule.objects.count() == 1


def test_path_errors_are_shown(operator):
    client = logged_in(operator)
    response = client.post(reverse("www:path_new"), path_form(module_1_hours="0"))
    assert response.status_code == 200
    assert "nombre entier d'heures, de 1 à 100" in plain(response)
    assert 'class="fr-fieldset fr-fieldset--error" id="modules"' in text(response)
    response = client.post(reverse("www:path_new"), path_form(services=[]))
    assert "au moins un service" in field_error(response, "services")
    assert not Path.objects.exists()


def test_another_programmes_path_is_not_found(operator):
    elsewhere = PathFactory()
    assert (
        logged_in(operator).get(reverse("www:path_edit", args=[elsewhere.pk])).status_code == 404
    )


def test_paths_list_queries_do_not_grow(operator, programme):
    client = logged_in(operator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("www:paths")).status_code == 200
        return len(queries)

    PathFactory(programme=programme)
    few = count()
    for n in range(5):
        PathFactory(programme=programme, modules=[("Un", 1), ("Deux", 2)], name=f"P{n}")
    assert count() == few
