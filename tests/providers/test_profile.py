"""The provider's profile: bank details checked with schwifty, places following the standard."""

from decimal import Decimal

import pytest

from passnum.common.exceptions import InvalidInput, NotAllowed, NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.providers.models import AccreditationStatus, BankDetails, Place
from passnum.providers.selectors import is_accredited
from passnum.providers.services import save_bank_details, save_place
from passnum.territories.models import Commune
from tests.factories import AccreditationFactory, CommuneFactory, ProviderPlaceFactory

from .factories import VALID_BIC, VALID_IBAN

Kind = OrganisationKind


@pytest.fixture
def provider(make_actor):
    return make_actor(Kind.PROVIDER)


def bank_state():
    return list(BankDetails.objects.values_list("organisation", "account_holder", "iban", "bic"))


# Bank details


def test_valid_bank_details_are_stored_normalised(provider):
    details = save_bank_details(
        provider,
        account_holder="  France   services de Mende ",
        iban="fr76 3000 6000 0112 3456 7890 189",
        bic="agrifrpp",
    )
    details.refresh_from_db()
    assert (details.account_holder, details.iban, details.bic) == (
        "France services de Mende",
        VALID_IBAN,
        VALID_BIC,
    )


def test_saving_again_replaces_them(provider):
    save_bank_details(provider, account_holder="A", iban=VALID_IBAN, bic=VALID_BIC)
    save_bank_details(
        provider, account_holder="B", iban="FR1420041010050500013M02606", bic="PSSTFRPPMON"
    )
    assert bank_state() == [
        (provider.organisation.pk, "B", "FR1420041010050500013M02606", "PSSTFRPPMON")
    ]


@pytest.mark.parametrize(
    ("iban", "bic", "field", "message"),
    [
        (
            "FR7630006000011234567890188",
            VALID_BIC,
            "iban",
            "IBAN invalide : la clé de contrôle ne correspond pas.",
        ),
        ("FR76300060000112345", VALID_BIC, "iban", "IBAN invalide : la longueur"),
        (" ", VALID_BIC, "iban", "Indiquez l'IBAN du compte."),
        ("FR76 3000 6000 0112 3456 7890 18!", VALID_BIC, "iban", "IBAN invalide : le format"),
        (VALID_IBAN, "", "bic", "Indiquez le BIC de la banque."),
        ("ZZ7630006000011234567890189", VALID_BIC, "iban", "IBAN invalide : le code pays"),
        (VALID_IBAN, "AGRIXXPP", "bic", "BIC invalide : le code pays est inconnu."),
        (VALID_IBAN, "AGRI", "bic", "BIC invalide : il doit compter 8 ou 11 caractères."),
        (VALID_IBAN, "DEUTDEFF", "bic", "BIC invalide : il désigne une banque du pays DE"),
    ],
)
def test_invalid_bank_details_are_refused(provider, iban, bic, field, message):
    save_bank_details(provider, account_holder="Avant", iban=VALID_IBAN, bic=VALID_BIC)
    before = bank_state()
    with pytest.raises(InvalidInput) as exc:
        save_bank_details(provider, account_holder="Après", iban=iban, bic=bic)
    assert exc.value.extra["field"] == field
    assert exc.value.message.startswith(message)
    assert bank_state() == before


@pytest.mark.parametrize(("holder", "message"), [("  ", "Indiquez"), ("x" * 71, "70 caractères")])
def test_account_holder_is_required_and_short(provider, holder, message):
    with pytest.raises(InvalidInput, match=message) as exc:
        save_bank_details(provider, account_holder=holder, iban=VALID_IBAN, bic=VALID_BIC)
    assert exc.value.extra["field"] == "account_holder"
    assert bank_state() == []


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_only_providers_give_bank_details(make_actor, kind):
    with pytest.raises(NotAllowed):
        save_bank_details(make_actor(kind), account_holder="X", iban=VALID_IBAN, bic=VALID_BIC)
    assert bank_state() == []


def test_changing_bank_details_keeps_the_accreditation(provider):
    AccreditationFactory(organisation=provider.organisation, status=AccreditationStatus.ACCREDITED)
    save_bank_details(provider, account_holder="A", iban=VALID_IBAN, bic=VALID_BIC)
    assert is_accredited(provider.organisation)


# Places


def place_fields(**changes):
    fields = {
        "name": "Médiathèque de Marvejols",
        "address": "2 place du Soubeyran",
        "commune": Commune.objects.get(insee_code="48092"),
        "services": ["securite", "outils_quotidien"],
        "publics": ["senior"],
        "opening_hours": "Tu-Sa 10:00-12:00,14:00-18:00",
        "is_itinerant": False,
        "access_modes": ["telephoner", "se_presenter"],
        "support_modes": ["avec_de_l_aide"],
        "phone": "04 66 32 00 00",
        "email": "mediatheque@exemple.fr",
    }
    fields.update(changes)
    return fields


def place_state():
    return list(Place.objects.order_by("pk").values())


def test_a_place_is_created_with_the_communes_coordinates(provider, communes):
    place = save_place(provider, **place_fields())
    place.refresh_from_db()
    marvejols = Commune.objects.get(insee_code="48092")
    assert place.organisation == provider.organisation
    assert (place.latitude, place.longitude) == (marvejols.latitude, marvejols.longitude)
    # codes kept in the vocabulary's order
    assert place.services == ["outils_quotidien", "securite"]
    assert place.access_modes == ["se_presenter", "telephoner"]
    assert place.publics == ["senior"]
    assert place.support_modes == ["avec_de_l_aide"]


def test_given_coordinates_are_kept(provider, communes):
    place = save_place(provider, **place_fields(latitude="44,55432", longitude=3.29))
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (Decimal("44.55432"), Decimal("3.29000"))


def test_a_place_is_changed(provider, communes):
    place = save_place(provider, **place_fields())
    save_place(provider, place, **place_fields(name="Médiathèque", is_itinerant=True))
    place.refresh_from_db()
    assert (place.name, place.is_itinerant) == ("Médiathèque", True)
    assert Place.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Indiquez le nom du lieu."),
        ({"services": []}, "services", "au moins un service"),
        ({"services": ["cuisine"]}, "services", "Service(s) inconnu(s) : cuisine."),
        ({"publics": ["tous"]}, "publics", "Public(s) inconnu(s) : tous."),
        ({"access_modes": ["pigeon"]}, "access_modes", "Modalité(s) d'accès inconnue(s)"),
        ({"support_modes": ["x"]}, "support_modes", "Modalité(s) d'accompagnement"),
        ({"opening_hours": "x" * 501}, "opening_hours", "500 caractères"),
        ({"commune": None}, "commune", "Indiquez la commune du lieu."),
        ({"latitude": "91", "longitude": "3"}, "latitude", "entre -90 et 90"),
        ({"latitude": "abc", "longitude": "3"}, "latitude", "entre -90 et 90"),
        ({"latitude": "44.5"}, "longitude", "la latitude et la longitude"),
        ({"email": "pas-un-courriel"}, "email", "Le courriel n'est pas valide."),
        ({"phone": "appelez-nous"}, "phone", "Le téléphone n'est pas valide"),
    ],
)
def test_invalid_places_are_refused(provider, communes, changes, field, message):
    before = place_state()
    with pytest.raises(InvalidInput) as exc:
        save_place(provider, **place_fields(**changes))
    assert exc.value.extra["field"] == field
    assert message in exc.value.message
    assert place_state() == before


def test_a_commune_outside_the_territory_is_refused(provider, communes):
    paris = CommuneFactory(insee_code="75056", name="Paris", department_code="75")
    with pytest.raises(InvalidInput, match="département 48") as exc:
        save_place(provider, **place_fields(commune=paris))
    assert exc.value.extra["field"] == "commune"
    assert place_state() == []


def test_place_names_are_unique_per_provider(provider, make_actor, communes):
    save_place(provider, **place_fields(name="Espace numérique"))
    before = place_state()
    with pytest.raises(InvalidInput, match="déjà un lieu nommé") as exc:
        save_place(provider, **place_fields(name="espace  NUMÉRIQUE".replace("É", "é")))
    assert exc.value.extra["field"] == "name"
    assert place_state() == before
    other = make_actor(Kind.PROVIDER)
    save_place(other, **place_fields(name="Espace numérique"))  # another provider may
    assert Place.objects.count() == 2


def test_a_provider_cannot_change_another_providers_place(provider, communes):
    theirs = ProviderPlaceFactory(name="Ailleurs")
    before = place_state()
    with pytest.raises(NotFound):
        save_place(provider, theirs, **place_fields())
    assert place_state() == before


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_only_providers_declare_places(make_actor, communes, kind):
    with pytest.raises(NotAllowed):
        save_place(make_actor(kind), **place_fields())
    assert place_state() == []


def test_a_new_place_of_an_accredited_provider_keeps_the_accreditation(provider, communes):
    AccreditationFactory(organisation=provider.organisation, status=AccreditationStatus.ACCREDITED)
    save_place(provider, **place_fields())
    assert is_accredited(provider.organisation)
