import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from passnum.territories.exceptions import AmbiguousCommune, CommuneFileError, UnknownCommune
from passnum.territories.models import Commune, PostalCode
from passnum.territories.selectors import commune_by_insee, resolve_commune, search_communes
from passnum.territories.services import load_communes


def test_the_152_communes_of_lozere(communes):
    assert Commune.objects.of_department("48").count() == 152
    assert Commune.objects.aggregate(total=Sum("population"))["total"] == 76_519
    assert PostalCode.objects.count() == 160
    mende = Commune.objects.get(insee_code="48095")
    assert (mende.name, mende.postal_code_list, mende.population) == ("Mende", ["48000"], 12316)
    assert float(mende.latitude) == pytest.approx(44.53491)
    mont_lozere = Commune.objects.get(insee_code="48027")
    assert mont_lozere.postal_code_list == ["48170", "48190", "48250"]


def test_loading_twice_gives_the_same_result(communes):
    before = list(Commune.objects.values_list("pk", "insee_code", "name", "population"))
    assert load_communes("48") == 152
    assert list(Commune.objects.values_list("pk", "insee_code", "name", "population")) == before
    assert PostalCode.objects.count() == 160


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("48095", "48095"),
        ("Mende", "48095"),
        ("  mende ", "48095"),
        ("Saint-Chély-d'Apcher", "48140"),
        ("st chely d apcher", "48140"),
        ("SAINT CHELY D’APCHER", "48140"),
        ("48330", "48148"),  # a postal code of one commune only
        ("48000 Mende", "48095"),
        ("Mende (48000)", "48095"),
        ("Mont Lozère et Goulet 48250", "48027"),  # one of its three postal codes
    ],
)
def test_resolve_commune(communes, text, insee):
    assert resolve_commune(text, "48").insee_code == insee


def test_digits_that_are_an_insee_code_and_another_communes_postal_code_are_ambiguous(communes):
    # 48130 is the INSEE code of one commune and the postal code of Peyre en Aubrac.
    with pytest.raises(AmbiguousCommune) as excinfo:
        resolve_commune("48130", "48")
    candidates = {c.insee_code for c in excinfo.value.extra["candidates"]}
    assert candidates == {"48130", "48009"}
    assert "Indiquez le nom de la commune" in excinfo.value.message


def test_commune_by_insee_is_strict(communes):
    assert commune_by_insee("48130", "48").insee_code == "48130"
    assert commune_by_insee(" 48095 ", "48").name == "Mende"
    with pytest.raises(UnknownCommune, match="code INSEE « MENDE »"):
        commune_by_insee("Mende", "48")
    with pytest.raises(UnknownCommune):
        commune_by_insee("12202", "48")


def test_postal_code_shared_by_several_communes_is_ambiguous(communes):
    with pytest.raises(AmbiguousCommune) as excinfo:
        resolve_commune("48000", "48")
    assert len(excinfo.value.extra["candidates"]) > 1
    assert "Précisez" in excinfo.value.message
    assert "Mende (48000)" in excinfo.value.message


@pytest.mark.parametrize("text", ["", "   ", "Paris", "75056", "48999", "12202", "Mende 48200"])
def test_unknown_commune(communes, text):
    with pytest.raises(UnknownCommune) as excinfo:
        resolve_commune(text, "48")
    assert excinfo.value.code == "unknown_commune"
    assert "commune" in excinfo.value.message.lower()


def test_communes_of_another_territory_are_not_found(communes):
    with pytest.raises(UnknownCommune):
        resolve_commune("Mende", "12")


def test_search_communes(communes):
    assert [c.name for c in search_communes("saint chely", "48")] == ["Saint-Chély-d'Apcher"]
    assert len(search_communes("48000", "48")) == 10
    assert search_communes("", "48") == []


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "insee_code,name,postal_code,latitude,longitude,population\n"


def test_a_bad_file_loads_nothing_and_names_every_bad_line(db, tmp_path):
    path = write(
        tmp_path,
        "communes.csv",
        HEADER
        + "48095,Mende,48000,44.5,3.4,12316\n"
        + "4809X,Mauvais,48000,44.5,3.4,1\n"
        + "48001,,48310,44.8,3.1,151\n"
        + "48002,Albaret,48200,144.8,3.2,554\n"
        + "12202,Rodez,12000,44.3,2.5,24000\n"
        + "48095,Mende bis,48000,44.5,3.4,1\n",
    )
    with pytest.raises(CommuneFileError) as excinfo:
        load_communes("48", path)
    errors = excinfo.value.errors
    assert [e.split(" : ")[0] for e in errors] == [
        "communes.csv, ligne 3",
        "communes.csv, ligne 4",
        "communes.csv, ligne 5",
        "communes.csv, ligne 6",
        "communes.csv, ligne 7",
    ]
    assert "code INSEE « 4809X » invalide" in errors[0]
    assert "nom manquant" in errors[1]
    assert "coordonnées invalides" in errors[2]
    assert "n'est pas dans le département 48" in errors[3]
    assert "en double" in errors[4]
    assert not Commune.objects.exists()


def test_digits_that_int_refuses_are_errors_of_their_line(db, tmp_path):
    """« ² » passes str.isdigit(), not int(): a bad line, not a crash of the whole load."""
    path = write(
        tmp_path,
        "communes.csv",
        HEADER + "48095,Mende,48000,44.5,3.4,1²\n" + "48001,Albaret,48²00,44.8,3.1,151\n",
    )
    with pytest.raises(CommuneFileError) as excinfo:
        load_communes("48", path)
    assert excinfo.value.errors == [
        "communes.csv, ligne 2 : population « 1² » invalide.",
        "communes.csv, ligne 3 : code postal « 48²00 » invalide.",
    ]
    assert not Commune.objects.exists()


def test_missing_columns_are_refused(db, tmp_path):
    path = write(tmp_path, "communes.csv", "code,nom\n48095,Mende\n")
    with pytest.raises(CommuneFileError, match="colonnes manquantes : insee_code"):
        load_communes("48", path)
    assert not Commune.objects.exists()


def test_command_loads_the_bundled_communes(db, capsys):
    call_command("load_communes", "--departement", "48")
    assert "152 communes chargées" in capsys.readouterr().out
    assert Commune.objects.count() == 152


def test_command_reports_errors_in_french_and_changes_nothing(db, tmp_path):
    path = write(tmp_path, "c.csv", HEADER + "48095,Mende,48000,abc,3.4,12316\n")
    with pytest.raises(CommandError, match="ligne 2 : coordonnées invalides"):
        call_command("load_communes", "--fichier", str(path))
    assert not Commune.objects.exists()


def test_command_refuses_a_department_without_a_file(db):
    with pytest.raises(
        CommandError, match="Aucun fichier de communes fourni pour le département 12"
    ):
        call_command("load_communes", "--departement", "12")
