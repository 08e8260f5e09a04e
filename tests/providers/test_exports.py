"""The accredited places in the national standard's CSV."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passnum.providers.exports import COLUMNS, accredited_places_csv, international_phone
from passnum.providers.models import AccreditationStatus
from passnum.territories.models import Commune
from tests.factories import AccreditationFactory, OrganisationFactory, ProviderPlaceFactory

EXPECTED_COLUMNS = (
    "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,typologie,"
    "telephone,courriels,site_web,horaires,presentation_resume,presentation_detail,source,"
    "structure_parente,date_maj,services,publics_specifiquement_adresses,"
    "prise_en_charge_specifique,frais_a_charge,itinerance,modalites_acces,"
    "modalites_accompagnement"
)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def places(programme, communes):
    provider = OrganisationFactory(
        programme=programme, provider=True, name="Mairie de Marvejols", siret="21480092400014"
    )
    marvejols = ProviderPlaceFactory(
        organisation=provider,
        name="Espace numérique, Marvejols",
        commune=Commune.objects.get(insee_code="48092"),
        address="Place Cordesse",
        services=["securite", "demarches_administratives"],
        publics=["senior", "rsa"],
        opening_hours="Mo-Fr 09:00-12:00",
        is_itinerant=True,
        access_modes=["se_presenter", "prendre_un_rdv"],
        support_modes=["seul", "dans_un_atelier"],
        phone="04 66 32 00 00",
        email="numerique@marvejols.fr",
    )
    mende = ProviderPlaceFactory(
        organisation__programme=programme, commune=Commune.objects.get(insee_code="48095")
    )
    ProviderPlaceFactory(accredited=False, organisation__programme=programme, name="Brouillon")
    for status in (AccreditationStatus.SUSPENDED, AccreditationStatus.SUBMITTED):
        place = ProviderPlaceFactory(
            accredited=False, organisation__programme=programme, name=status.label
        )
        AccreditationFactory(organisation=place.organisation, status=status)
    ProviderPlaceFactory(name="Autre programme")  # another programme's accredited place
    return marvejols, mende


def test_header_and_only_accredited_places_of_the_programme(programme, places):
    text = accredited_places_csv(programme)
    assert text.splitlines()[0] == EXPECTED_COLUMNS
    assert ",".join(COLUMNS) == EXPECTED_COLUMNS
    found = rows(text)
    assert [r["nom"] for r in found] == [p.name for p in places]


def test_a_place_in_the_standards_format(programme, places):
    marvejols = places[0]
    row = rows(accredited_places_csv(programme))[0]
    assert row == {
        "id": str(marvejols.pk),
        "pivot": "21480092400014",
        "nom": "Espace numérique, Marvejols",
        "commune": "Marvejols",
        "code_postal": "48100",
        "code_insee": "48092",
        "adresse": "Place Cordesse",
        "latitude": str(marvejols.latitude),
        "longitude": str(marvejols.longitude),
        "typologie": "",
        "telephone": "+33466320000",
        "courriels": "numerique@marvejols.fr",
        "site_web": "",
        "horaires": "Mo-Fr 09:00-12:00",
        "presentation_resume": "",
        "presentation_detail": "",
        "source": "passnum",
        "structure_parente": "Mairie de Marvejols",
        "date_maj": date.today().isoformat(),
        "services": "Aide aux démarches administratives|Utilisation sécurisée du numérique",
        "publics_specifiquement_adresses": "Bénéficiaire du rSa|Personne de plus de 60 ans",
        "prise_en_charge_specifique": "",
        "frais_a_charge": (
            "Gratuit sous condition : La gratuité est conditionnée à des critères "
            "(situation familiale, convention avec un organisme social...)"
        ),
        "itinerance": "Itinérant",
        "modalites_acces": "Se présenter|Prendre un RDV en ligne",
        "modalites_accompagnement": (
            "Seul : j'ai accès à du matériel et une connexion|"
            "Dans un atelier : j'apprends collectivement à utiliser le numérique"
        ),
    }


def test_a_fixed_place_without_siret_nor_contact(programme, places):
    row = rows(accredited_places_csv(programme))[1]
    assert (row["pivot"], row["itinerance"], row["telephone"], row["courriels"]) == (
        "",
        "Fixe",
        "",
        "",
    )
    assert (row["code_postal"], row["code_insee"]) == ("48000", "48095")


def test_the_csv_is_read_in_a_constant_number_of_queries(programme, places):
    for n in range(5):
        ProviderPlaceFactory(organisation=places[0].organisation, name=f"Annexe {n}")
    with CaptureQueriesContext(connection) as queries:
        assert len(rows(accredited_places_csv(programme))) == 7
    assert len(queries) == 2  # the places, the postal codes


def test_no_accredited_place_gives_the_header_only(programme):
    assert accredited_places_csv(programme) == EXPECTED_COLUMNS + "\r\n"


@pytest.mark.parametrize(
    ("typed", "standard"),
    [("04 66 32 00 00", "+33466320000"), ("04.66.32.00.00", "+33466320000"), ("", "")],
)
def test_phones_in_international_format(typed, standard):
    assert international_phone(typed) == standard


def test_typed_text_cannot_become_a_spreadsheet_formula(programme):
    from passnum.common.text import spreadsheet_safe

    assert spreadsheet_safe('=HYPERLINK("http://x","clic")') == '\'=HYPERLINK("http://x","clic")'
    assert spreadsheet_safe("+33 4 66 00 00 00") == "+33 4 66 00 00 00"  # a phone number
    assert spreadsheet_safe("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("Mende") == "Mende"
    assert spreadsheet_safe(44.5) == 44.5
