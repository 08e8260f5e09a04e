"""The accredited places nearest to a person that offer what they need (printed checkbook)."""

import pytest

from passnum.providers.models import Accreditation, AccreditationStatus
from passnum.providers.selectors import distance_km, nearest_places
from passnum.territories.models import Commune
from tests.factories import OrganisationFactory, ProgrammeFactory, ProviderPlaceFactory

ALL = ["outils_quotidien", "demarches_administratives"]


def commune(name: str) -> Commune:
    return Commune.objects.get(name=name)


@pytest.fixture
def places(communes, programme):
    """Accredited places in real Lozère communes, one service mix each."""

    def place(name, commune_name, services, **fields):
        organisation = fields.pop("organisation", None) or OrganisationFactory(
            programme=programme, provider=True
        )
        return ProviderPlaceFactory(
            organisation=organisation,
            name=name,
            commune=commune(commune_name),
            services=services,
            **fields,
        )

    return {
        "mende": place("France Services Mende", "Mende", ALL),
        "marvejols": place("Médiathèque de Marvejols", "Marvejols", ["outils_quotidien"]),
        "florac": place("Tiers-lieu de Florac", "Florac Trois Rivières", ALL),
        "langogne": place("Espace Langogne", "Langogne", ["demarches_administratives"]),
        "meyrueis": place("Num'n'coop Meyrueis", "Meyrueis", ["outils_quotidien", "securite"]),
        "canourgue": place(
            "Atelier de La Canourgue", "La Canourgue", ALL, accredited=False
        ),  # not accredited
    }


def names(found):
    return [n.place.name for n in found]


def test_real_distances_between_lozere_communes(communes):
    mende, marvejols = commune("Mende"), commune("Marvejols")
    assert distance_km(mende.latitude, mende.longitude, mende.latitude, mende.longitude) == 0
    assert (
        15
        < distance_km(mende.latitude, mende.longitude, marvejols.latitude, marvejols.longitude)
        < 18
    )


def test_nearest_places_in_order_of_distance(programme, places):
    found = nearest_places(programme, commune("Mende"), ["outils_quotidien"], limit=10)
    assert names(found) == [
        "France Services Mende",
        "Médiathèque de Marvejols",
        "Tiers-lieu de Florac",
        "Num'n'coop Meyrueis",
    ]
    distances = [n.distance_km for n in found]
    assert distances == sorted(distances)
    assert distances[0] == 0
    assert 16 < distances[1] < 17
    assert 26 < distances[2] < 27
    assert 40 < distances[3] < 41
    assert all(n.matching_services == ["outils_quotidien"] for n in found)


def test_only_places_offering_a_needed_service(programme, places):
    found = nearest_places(programme, commune("Langogne"), ["demarches_administratives"])
    assert names(found) == ["Espace Langogne", "France Services Mende", "Tiers-lieu de Florac"]
    assert nearest_places(programme, commune("Mende"), ["parentalite"]) == []
    both = nearest_places(programme, commune("Mende"), ALL, limit=1)
    assert both[0].matching_services == ALL


def test_no_service_asked_means_every_accredited_place(programme, places):
    found = nearest_places(programme, commune("Mende"), [], limit=10)
    assert set(names(found)) == {
        "France Services Mende",
        "Médiathèque de Marvejols",
        "Tiers-lieu de Florac",
        "Espace Langogne",
        "Num'n'coop Meyrueis",
    }


def test_the_limit(programme, places):
    found = nearest_places(programme, commune("Mende"), ALL, limit=2)
    assert names(found) == ["France Services Mende", "Médiathèque de Marvejols"]
    assert len(nearest_places(programme, commune("Mende"), ALL)) == 5  # the default


@pytest.mark.parametrize(
    "status", [s for s in AccreditationStatus if s != AccreditationStatus.ACCREDITED]
)
def test_only_accredited_providers(programme, places, status):
    Accreditation.objects.filter(organisation=places["marvejols"].organisation).update(
        status=status
    )
    found = names(nearest_places(programme, commune("Mende"), ALL, limit=10))
    assert "Médiathèque de Marvejols" not in found
    assert "Atelier de La Canourgue" not in found  # never accredited
    assert "France Services Mende" in found


def test_only_places_of_the_programme(programme, places):
    other = ProgrammeFactory()
    ProviderPlaceFactory(
        organisation=OrganisationFactory(programme=other, provider=True),
        name="Lieu d'un autre programme",
        commune=commune("Mende"),
        services=ALL,
    )
    assert "Lieu d'un autre programme" not in names(
        nearest_places(programme, commune("Mende"), ALL, limit=10)
    )
    assert names(nearest_places(other, commune("Mende"), ALL)) == ["Lieu d'un autre programme"]


def test_places_or_communes_without_coordinates(programme, places):
    ProviderPlaceFactory(
        organisation=places["mende"].organisation,
        name="Antenne sans coordonnées",
        commune=commune("Mende"),
        latitude=None,
        longitude=None,
        services=ALL,
    )
    assert "Antenne sans coordonnées" not in names(
        nearest_places(programme, commune("Mende"), ALL, limit=10)
    )
    nowhere = commune("Mende")
    nowhere.latitude = None
    assert nearest_places(programme, nowhere, ALL) == []


def test_one_query(programme, places, django_assert_num_queries):
    mende = commune("Mende")
    with django_assert_num_queries(1):
        found = nearest_places(programme, mende, ALL)
        assert [n.place.commune.name for n in found] == [
            "Mende",
            "Marvejols",
            "Florac Trois Rivières",
            "Langogne",
            "Meyrueis",
        ]
        assert {n.place.organisation.programme_id for n in found} == {programme.pk}
