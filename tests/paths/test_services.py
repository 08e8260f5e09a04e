"""Training paths: the operator defines them, providers offer them at their places."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passnum.common.exceptions import Conflict, InvalidInput, NotAllowed, NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.paths.exceptions import AlreadyOffered, NotOffered, PathInactive, PlaceDoesNotCover
from passnum.paths.models import Path, PathModule, PathOffer
from passnum.paths.selectors import offers_by_place, path_for, paths_of, places_offering
from passnum.paths.services import offer_path, save_path, withdraw_path_offer
from tests.factories import OrganisationFactory, ProgrammeFactory, ProviderPlaceFactory
from tests.providers.factories import PathFactory

Kind = OrganisationKind
MODULES = [("Créer son espace France Connect", 2), ("Déclarer en ligne", 2)]


def state():
    return {
        "paths": list(
            Path.objects.order_by("pk").values_list(
                "pk", "name", "services", "target_publics", "is_active", "description"
            )
        ),
        "modules": list(
            PathModule.objects.order_by("pk").values_list("path", "position", "title", "hours")
        ),
        "offers": list(PathOffer.objects.order_by("pk").values_list("path", "place")),
    }


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


@pytest.fixture
def provider(make_actor):
    return make_actor(Kind.PROVIDER)


def create(operator, **changes):
    fields = {
        "name": "Accès aux droits",
        "services": ["securite", "demarches_administratives"],
        "target_publics": ["senior"],
        "modules": MODULES,
    }
    fields.update(changes)
    return save_path(operator, **fields)


# The operator's paths


def test_a_path_is_created_with_its_modules(operator):
    path = create(operator, description="  Pour les démarches. ")
    path.refresh_from_db()
    assert path.programme == operator.programme
    assert path.services == ["demarches_administratives", "securite"]
    assert path.target_publics == ["senior"]
    assert path.description == "Pour les démarches."
    assert path.is_active
    assert [(m.position, m.title, m.hours) for m in path.modules.all()] == [
        (1, "Créer son espace France Connect", 2),
        (2, "Déclarer en ligne", 2),
    ]
    assert path.total_hours == 4


def test_modules_are_replaced_as_a_whole(operator):
    path = create(operator)
    save_path(
        operator,
        path,
        name="Accès aux droits",
        services=["securite"],
        modules=[("Sécuriser ses comptes", "1")],
        is_active=False,
    )
    path.refresh_from_db()
    assert [(m.position, m.title, m.hours) for m in path.modules.all()] == [
        (1, "Sécuriser ses comptes", 1)
    ]
    assert (path.services, path.target_publics, path.is_active) == (["securite"], [], False)
    assert PathModule.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "Indiquez le nom du parcours."),
        ({"name": "x" * 151}, "name", "150 caractères"),
        ({"services": []}, "services", "au moins un service"),
        ({"services": ["magie"]}, "services", "Service(s) inconnu(s) : magie."),
        ({"target_publics": ["tous"]}, "target_publics", "Public(s) inconnu(s) : tous."),
        ({"modules": []}, "modules", "au moins un module"),
        ({"modules": [("", 2)]}, "modules", "Le module 1 n'a pas d'intitulé."),
        ({"modules": [("Un", 0)]}, "modules", "de 1 à 100"),
        ({"modules": [("Un", "deux")]}, "modules", "nombre entier d'heures"),
        ({"modules": [("Un", 1.5)]}, "modules", "nombre entier d'heures"),
        ({"modules": [("Un", 101)]}, "modules", "de 1 à 100"),
        ({"modules": [("Un", 1)] * 21}, "modules", "au plus 20 modules"),
    ],
)
def test_invalid_paths_are_refused(operator, changes, field, message):
    existing = create(operator, name="Existant")
    before = state()
    with pytest.raises(InvalidInput) as exc:
        create(operator, **changes)
    assert exc.value.extra["field"] == field
    assert message in exc.value.message
    assert state() == before
    with pytest.raises(InvalidInput):  # the same rules when changing a path
        save_path(
            operator,
            existing,
            **{"name": "Existant", "services": ["securite"], "modules": MODULES, **changes},
        )
    assert state() == before


def test_names_are_unique_per_programme(operator, make_actor):
    create(operator)
    other = create(operator, name="Identité numérique")
    before = state()
    with pytest.raises(InvalidInput, match="déjà un parcours nommé") as exc:
        create(operator, name="accès  aux droits")
    assert exc.value.extra["field"] == "name"
    with pytest.raises(InvalidInput, match="déjà un parcours nommé"):
        save_path(operator, other, name="Accès aux droits", services=["securite"], modules=MODULES)
    assert state() == before
    elsewhere = OrganisationFactory(programme=ProgrammeFactory(), operator=True)
    create(make_actor(Kind.OPERATOR, organisation=elsewhere))  # another programme may
    assert Path.objects.filter(name="Accès aux droits").count() == 2


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_only_the_operator_manages_paths(make_actor, operator, kind):
    path = create(operator)
    before = state()
    actor = make_actor(kind)
    with pytest.raises(NotAllowed):
        create(actor, name="Autre")
    with pytest.raises(NotAllowed):
        save_path(actor, path, name="Changé", services=["securite"], modules=MODULES)
    assert state() == before


def test_another_programmes_operator_cannot_change_a_path(operator, make_actor):
    path = create(operator)
    elsewhere = OrganisationFactory(programme=ProgrammeFactory(), operator=True)
    before = state()
    with pytest.raises(NotAllowed) as exc:
        save_path(
            make_actor(Kind.OPERATOR, organisation=elsewhere),
            path,
            name="Changé",
            services=["securite"],
            modules=MODULES,
        )
    assert exc.value.code == "other_programme"
    assert state() == before


# The providers' offers


@pytest.fixture
def place(provider):
    return ProviderPlaceFactory(
        organisation=provider.organisation, services=["outils_quotidien", "securite"]
    )


@pytest.fixture
def path(programme):
    return PathFactory(programme=programme, services=["securite"])


def test_a_provider_offers_a_path_at_its_place_and_withdraws_it(provider, place, path):
    offer = offer_path(provider, path, place)
    assert (offer.path, offer.place) == (path, place)
    assert offers_by_place([place]) == {place.pk: [path]}
    withdraw_path_offer(provider, path, place)
    assert not PathOffer.objects.exists()


def test_offering_twice_is_a_conflict(provider, place, path):
    offer_path(provider, path, place)
    before = state()
    with pytest.raises(AlreadyOffered) as exc:
        offer_path(provider, path, place)
    assert isinstance(exc.value, Conflict)
    assert state() == before


def test_withdrawing_what_is_not_offered_is_a_conflict(provider, place, path):
    with pytest.raises(NotOffered):
        withdraw_path_offer(provider, path, place)


def test_an_inactive_path_cannot_be_offered(provider, place, programme):
    path = PathFactory(programme=programme, services=["securite"], is_active=False)
    with pytest.raises(PathInactive, match="n'est plus proposé"):
        offer_path(provider, path, place)
    assert not PathOffer.objects.exists()


def test_the_place_must_cover_the_paths_services(provider, place, programme):
    path = PathFactory(programme=programme, services=["securite", "parentalite"])
    with pytest.raises(PlaceDoesNotCover) as exc:
        offer_path(provider, path, place)
    assert "Parentalité et éducation avec le numérique" in exc.value.message
    assert not PathOffer.objects.exists()


def test_only_its_own_places(provider, path):
    theirs = ProviderPlaceFactory(services=["securite"])
    with pytest.raises(NotFound):
        offer_path(provider, path, theirs)
    PathOffer.objects.create(path=path, place=theirs)
    with pytest.raises(NotFound):
        withdraw_path_offer(provider, path, theirs)
    assert PathOffer.objects.count() == 1


def test_only_paths_of_its_programme(provider, place):
    elsewhere = PathFactory(services=["securite"])  # another programme
    with pytest.raises(NotAllowed) as exc:
        offer_path(provider, elsewhere, place)
    assert exc.value.code == "other_programme"
    assert not PathOffer.objects.exists()


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_only_providers_offer_paths(make_actor, place, path, kind):
    with pytest.raises(NotAllowed):
        offer_path(make_actor(kind), path, place)
    assert not PathOffer.objects.exists()


# Selectors


def test_paths_of_a_programme(programme, operator):
    active = PathFactory(programme=programme, name="B actif")
    inactive = PathFactory(programme=programme, name="A ancien", is_active=False)
    PathFactory(name="Ailleurs")
    assert list(paths_of(programme)) == [inactive, active]
    assert list(paths_of(programme, active_only=True)) == [active]
    assert path_for(operator, active.pk) == active
    with pytest.raises(NotFound):
        path_for(operator, Path.objects.get(name="Ailleurs").pk)


def test_offers_by_place_in_constant_queries(provider, programme):
    places = [
        ProviderPlaceFactory(organisation=provider.organisation, services=["outils_quotidien"])
        for _ in range(4)
    ]
    paths = [PathFactory(programme=programme, name=f"P{n}") for n in range(3)]
    for place in places[:3]:
        for path in paths:
            PathOffer.objects.create(path=path, place=place)
    with CaptureQueriesContext(connection) as queries:
        found = offers_by_place(places)
        hours = {pk: [p.total_hours for p in offered] for pk, offered in found.items()}
    assert len(queries) == 2  # the offers with their paths, the modules
    assert hours == {place.pk: [2, 2, 2] for place in places[:3]}
    assert [o.place for o in places_offering(paths[0])] == sorted(places[:3], key=lambda p: p.name)
