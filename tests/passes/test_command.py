"""``passnum passes generate`` and ``passnum passes import`` from the command line."""

import pytest
from django.core.management import CommandError, call_command

from passnum.journal.models import JournalEntry
from passnum.passes import codes
from passnum.passes.models import Pass
from tests.factories import ProgrammeFactory


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("passes", *args, stdout=out)
    return out.getvalue()


def test_generate_creates_available_passes_and_says_so(programme):
    output = run("generate", "--count", "12")
    assert Pass.objects.filter(programme=programme, status="available").count() == 12
    assert "12 pass générés" in output
    assert "Stock disponible : 12 pass sur 3600" in output
    # the journal says which command created them, and for which system user
    entry = JournalEntry.objects.filter(action="generated").first()
    assert entry.user is None
    assert entry.data["command"] == "passnum passes generate"
    assert entry.data["system_user"]


def test_generate_refuses_beyond_the_pass_budget_and_creates_nothing(db):
    ProgrammeFactory(envelope_cents=11_000, engineering_cents=1_000)  # 100 € → 10 passes
    with pytest.raises(CommandError, match="ne permet pas d'en ajouter 11"):
        run("generate", "--count", "11")
    assert not Pass.objects.exists()
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("count", ["0", "-3"])
def test_generate_refuses_a_count_that_is_not_positive(programme, count):
    with pytest.raises(CommandError, match="entier supérieur à zéro"):
        run("generate", "--count", count)
    assert not Pass.objects.exists()


def test_generate_asks_which_programme_when_there_are_several(db):
    first = ProgrammeFactory()
    ProgrammeFactory()
    with pytest.raises(CommandError, match="Plusieurs programmes : précisez --programme"):
        run("generate", "--count", "1")
    run("generate", "--count", "2", "--programme", str(first.pk))
    assert Pass.objects.filter(programme=first).count() == 2
    with pytest.raises(CommandError, match="Programme introuvable"):
        run("generate", "--count", "1", "--programme", "Inconnu")


@pytest.mark.parametrize("value", ["²", str(2**64), "0"])
def test_a_programme_that_is_no_id_is_looked_up_by_name(db, value):
    ProgrammeFactory()
    ProgrammeFactory()
    with pytest.raises(CommandError, match="Programme introuvable"):
        run("generate", "--count", "1", "--programme", value)


def test_import_loads_a_delivery_file(programme, tmp_path):
    rows = [(f"OP-{i}", codes.display(codes.generate())) for i in range(3)]
    path = tmp_path / "livraison.csv"
    path.write_text(
        "numero_serie;code;fin_validite\n"
        + "".join(f"{serial};{code};31/12/2030\n" for serial, code in rows),
        encoding="utf-8",
    )
    output = run("import", str(path))
    assert "3 pass importés" in output
    assert sorted(Pass.objects.values_list("serial", flat=True)) == ["OP-0", "OP-1", "OP-2"]


def test_import_names_every_bad_line_and_imports_nothing(programme, tmp_path):
    good = codes.generate()
    path = tmp_path / "livraison.csv"
    path.write_text(
        "serial,code,end_date\n"
        f"OP-1,{good},2030-12-31\n"
        f"OP-2,{good[:-1]}{'0' if good[-1] != '0' else '1'},2030-12-31\n"
        f"OP-3,{codes.generate()},31-12-2030\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        run("import", str(path))
    message = str(raised.value)
    assert "aucun pass importé" in message
    assert "ligne 3 : code" in message
    assert "ligne 4 : date de fin « 31-12-2030 » invalide" in message
    assert "ligne 2" not in message
    assert not Pass.objects.exists()


def test_import_of_a_missing_file_is_a_clear_error(programme, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire le fichier"):
        run("import", str(tmp_path / "absent.csv"))


def test_generate_with_a_count_that_is_not_a_number(programme):
    with pytest.raises(CommandError, match="« douze » n'est pas un nombre entier"):
        run("generate", "--count", "douze")
    assert not Pass.objects.exists()
