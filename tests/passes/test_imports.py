"""Import of an external operator's delivery file: every line, or none."""

from datetime import date

import pytest

from passnum.journal.models import JournalEntry
from passnum.passes import codes, keys
from passnum.passes.enums import PassSource, PassStatus
from passnum.passes.exceptions import DeliveryFileInvalid, StockLimitExceeded
from passnum.passes.imports import import_passes, parse_delivery
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from tests.factories import ProgrammeFactory

TODAY = date(2026, 3, 2)


def new_codes(count: int) -> list[str]:
    found: list[str] = []
    while len(found) < count:
        code = codes.generate()
        if code not in found:
            found.append(code)
    return found


def delivery(lines, header="serial,code,end_date", sep=","):
    return "\n".join([header, *(sep.join(line) for line in lines)]) + "\n"


def counts():
    return Pass.objects.count(), JournalEntry.objects.count()


def refused_lines(errors) -> list[int]:
    return [int(e.split(" ", 2)[1]) for e in errors if e.startswith("ligne ")]


def test_a_valid_file_loads_every_pass(programme):
    plain = new_codes(3)
    content = delivery(
        [
            ("OP-2026-0001", codes.display(plain[0]), "2026-12-31"),
            ("OP-2026-0002", plain[1].lower(), "2026-12-31"),
            ("OP-2026-0003", plain[2], "2027-06-30"),
        ]
    ).encode()
    passes = import_passes(programme, content, today=TODAY)
    assert [p.serial for p in passes] == ["OP-2026-0001", "OP-2026-0002", "OP-2026-0003"]
    stored = {p.serial: p for p in Pass.objects.filter(programme=programme)}
    assert len(stored) == 3
    for serial, code in zip(stored, plain, strict=True):
        pass_ = stored[serial]
        assert pass_.source == PassSource.IMPORTED
        assert pass_.status == PassStatus.AVAILABLE
        assert pass_.value_cents == programme.pass_value_cents
        assert pass_.code_digest == keys.digest(code)
        assert keys.decrypt(pass_.code_encrypted) == code
    assert stored["OP-2026-0001"].stock_expires_on == date(2026, 12, 31)
    assert stored["OP-2026-0003"].stock_expires_on == date(2027, 6, 30)
    entries = JournalEntry.objects.filter(action="imported")
    assert {e.subject_id for e in entries} == {p.pk for p in stored.values()}


@pytest.mark.parametrize(
    ("header", "sep", "end", "encoding"),
    [
        ("serial,code,end_date", ",", "2026-12-31", "utf-8"),
        ("serial;code;end_date", ";", "31/12/2026", "utf-8"),
        ("numero_serie;code;fin_validite", ";", "31/12/2026", "utf-8-sig"),  # with a BOM
        ("Numéro de série;Code;Fin de validité", ";", "31/12/2026", "cp1252"),
        ("NUMÉRO DE SÉRIE,CODE,DATE_FIN", ",", "2026-12-31", "utf-8-sig"),
        ("code;expires_on;serie", ";", None, "utf-8"),  # columns in another order
    ],
)
def test_header_variants_separators_dates_and_encodings(programme, header, sep, end, encoding):
    plain = new_codes(2)
    if end is None:
        lines = [(codes.display(c), "2026-12-31", f"LIV-{i}") for i, c in enumerate(plain)]
    else:
        lines = [(f"LIV-{i}", codes.display(c), end) for i, c in enumerate(plain)]
    content = delivery(lines, header=header, sep=sep).encode(encoding)
    if encoding == "utf-8-sig":
        assert content.startswith(b"\xef\xbb\xbf")
    passes = import_passes(programme, content, today=TODAY)
    assert len(passes) == 2
    assert {p.stock_expires_on for p in Pass.objects.all()} == {date(2026, 12, 31)}
    assert {p.serial for p in Pass.objects.all()} == {"LIV-0", "LIV-1"}


def test_text_with_a_bom_and_blank_lines(programme):
    plain = new_codes(2)
    content = (
        "\ufeffserial;code;end_date\r\n"
        f"A-001;{plain[0]};31/12/2026\r\n"
        "\r\n"
        ";;\r\n"
        f"A-002;{plain[1]};31/12/2026\r\n"
    )
    assert len(import_passes(programme, content, today=TODAY)) == 2


def test_a_file_with_bad_lines_names_every_one_and_loads_nothing(programme):
    [existing] = generate_passes(programme, 1, today=TODAY)
    good, dup_code, other, other2, other3, other4, other5 = new_codes(7)
    wrong_check = good[:-1] + codes.ALPHABET[(codes.ALPHABET.index(good[-1]) + 1) % 32]
    content = delivery(
        [
            ("OP-0001", codes.display(good), "2026-12-31"),  # 2: good
            ("OP-0002", "K7QM-9T2D-XH4", "2026-12-31"),  # 3: code too short
            ("OP-0003", wrong_check, "2026-12-31"),  # 4: bad check symbol
            ("OP-0001", other, "2026-12-31"),  # 5: serial already in the file
            ("OP-0006", good.lower(), "2026-12-31"),  # 6: code already in the file
            ("OP-0007", other2, "2026-03-01"),  # 7: end date past
            ("OP-0008", other3, "31/02/2026"),  # 8: no such date
            ("OP-0009", other4),  # 9: a column missing
            (existing.serial, other5, "2026-12-31"),  # 10: serial already in the database
            ("OP-0011", codes.display(dup_code), "2026-12-31"),  # 11: good
            ("OP-0012", "UUUU-UUUU-UUUU", "2026-03-02"),  # 12: bad code and date today
        ]
    )
    before = counts()
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, content, today=TODAY)
    errors = excinfo.value.errors
    assert refused_lines(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert len(errors) == 9
    by_line = dict(zip(refused_lines(errors), errors, strict=True))
    assert "code « K7QM-9T2D-XH4 » invalide" in by_line[3]
    assert "symbole de contrôle" in by_line[4]
    assert "« OP-0001 » déjà présent ligne 2" in by_line[5]
    assert "code déjà présent ligne 2" in by_line[6]
    assert "01/03/2026 déjà passée" in by_line[7]
    assert "« 31/02/2026 » invalide" in by_line[8]
    assert "il manque des colonnes" in by_line[9]
    assert f"le pass {existing.serial} existe déjà" in by_line[10]
    assert "invalide" in by_line[12]
    assert "déjà passée" in by_line[12]
    assert excinfo.value.code == "invalid_file"
    assert "aucun pass importé : 9 erreur(s)" in excinfo.value.message
    assert excinfo.value.extra["errors"] == errors
    assert counts() == before


def test_duplicates_are_caught_even_when_the_first_line_is_bad(programme):
    code, other = new_codes(2)
    content = delivery(
        [
            ("OP-0001", code, "bientôt"),  # 2: bad date, yet its serial and code are taken
            ("OP-0001", other, "2026-12-31"),  # 3: same serial as line 2
            ("OP-0003", code, "2026-12-31"),  # 4: same code as line 2
        ]
    )
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, content, today=TODAY)
    assert refused_lines(excinfo.value.errors) == [2, 3, 4]
    assert not Pass.objects.exists()


def test_a_code_already_in_the_database_is_refused(programme):
    [existing] = generate_passes(programme, 1, today=TODAY)
    code = keys.decrypt(existing.code_encrypted)
    content = delivery(
        [("OP-0001", new_codes(1)[0], "2026-12-31"), ("OP-0002", code, "2027-01-01")]
    )
    before = counts()
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, content, today=TODAY)
    assert excinfo.value.errors == ["ligne 3 : ce code est déjà celui d'un autre pass."]
    assert counts() == before


def test_a_serial_of_another_programme_is_refused(programme):
    other = ProgrammeFactory()
    [existing] = generate_passes(other, 1, today=TODAY)
    content = delivery([(existing.serial, new_codes(1)[0], "2026-12-31")])
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, content, today=TODAY)
    assert refused_lines(excinfo.value.errors) == [2]
    assert Pass.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        ("  \n\n", "Le fichier est vide."),
        ("serial,code,end_date\n", "Le fichier ne contient aucun pass."),
        ("serial;code;end_date\n;;\n\n", "Le fichier ne contient aucun pass."),
    ],
)
def test_empty_and_header_only_files_are_refused(programme, content, message):
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, content, today=TODAY)
    assert excinfo.value.errors == [message]
    assert not Pass.objects.exists()


def test_a_header_without_the_expected_columns_is_refused(programme):
    content = delivery([("OP-1", new_codes(1)[0], "2026-12-31")], header="numero,secret,date")
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, content, today=TODAY)
    [error] = excinfo.value.errors
    assert error.startswith("ligne 1 :")
    assert "code, end_date" in error
    assert not Pass.objects.exists()


def test_a_file_in_neither_utf8_nor_cp1252_is_refused(programme):
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        import_passes(programme, b"serial,code,end_date\n\x81\x8d\x8f\x90\x9d\n", today=TODAY)
    assert "UTF-8" in excinfo.value.errors[0]


def test_the_pass_budget_limits_imports(db):
    programme = ProgrammeFactory(envelope_cents=11_000, engineering_cents=1_000)  # 10 passes
    generate_passes(programme, 8, today=TODAY)
    content = delivery(
        [(f"OP-{i}", code, "2026-12-31") for i, code in enumerate(new_codes(3))]
    ).encode()
    before = counts()
    with pytest.raises(StockLimitExceeded):
        import_passes(programme, content, today=TODAY)
    assert counts() == before
    content = delivery(
        [(f"OP-{i}", code, "2026-12-31") for i, code in enumerate(new_codes(2))]
    ).encode()
    assert len(import_passes(programme, content, today=TODAY)) == 2
    assert Pass.objects.filter(programme=programme).count() == 10


def test_parse_delivery_raises_with_every_bad_line():
    content = delivery([("OP-1", "nope", "2026-12-31"), ("OP 2", new_codes(1)[0], "2026-12-31")])
    with pytest.raises(DeliveryFileInvalid) as excinfo:
        parse_delivery(content, today=TODAY)
    assert refused_lines(excinfo.value.errors) == [2, 3]
    assert "numéro de série « OP 2 » invalide" in excinfo.value.errors[1]


def test_an_unreadable_csv_is_refused_in_french(programme):
    huge = "x" * 200_000
    before = Pass.objects.count()
    with pytest.raises(DeliveryFileInvalid) as raised:
        import_passes(programme, f"serial,code,end_date\nA-1,{huge},2030-01-01\n")
    assert "n'est pas un CSV lisible" in raised.value.errors[0]
    assert raised.value.errors[0].startswith("ligne ")
    assert Pass.objects.count() == before
