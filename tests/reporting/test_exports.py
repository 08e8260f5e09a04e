"""The rows of each export (``reporting/exports.py``) and their CSV and XLSX files: read back,
they equal the data; nothing about a person beyond the columns listed; one programme only; the
period filters on the date stated; a constant number of queries whatever the number of rows."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from passnum.common.exceptions import InvalidInput, NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.models import Pass
from passnum.redemptions.models import Session
from passnum.referrals.models import Referral
from passnum.reporting.enums import ExportFormat, ExportName
from passnum.reporting.exports import (
    EXPORTS,
    PASS_HEADER,
    REFERRAL_HEADER,
    SESSION_HEADER,
    STATEMENT_HEADER,
    age_band,
    ensure_can_export,
    export_named,
    exports_for,
)
from passnum.reporting.periods import Period
from passnum.reporting.writers import BOM, csv_chunks, write_file
from tests.factories import ProgrammeFactory
from tests.reporting.activity import (
    BIRTH_DATE,
    SECRET_COMMENT,
    SECRET_EMAIL,
    SECRET_FIRST_NAME,
    SECRET_LAST_NAME,
    SECRET_PHONE,
    SECRET_REASON,
    build_activity,
)

Kind = OrganisationKind
TODAY = timezone.localdate()
FIRST = TODAY.replace(day=1)
MONTH = f"{TODAY:%Y-%m}"


@pytest.fixture
def activity(programme):
    activity = build_activity(programme)
    activity.provider.siret = "12345678900012"
    activity.provider.save()
    return activity


def rows_of(name, programme, period=None):
    return list(EXPORTS[name].rows(programme, period or Period()))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:]), delimiter=";"))


def read_xlsx(file) -> list[tuple]:
    """The rows of the first sheet (read-only mode drops the empty cells that end a row: they
    are put back)."""
    book = load_workbook(file, read_only=True)
    try:
        rows = [tuple(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()
    width = max((len(row) for row in rows), default=0)
    return [row + (None,) * (width - len(row)) for row in rows]


def xlsx_of(rows, title="Essai") -> list[tuple]:
    with write_file(iter(rows), ExportFormat.XLSX, title=title) as file:
        return read_xlsx(file)


def as_xlsx(value):
    """A cell as openpyxl reads it back: a date is a datetime at midnight, a number a float or
    an integer, an empty cell None."""
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    return value


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


# --- Each export's rows ----------------------------------------------------------------------


def test_referrals_one_row_per_referral_without_anything_personal(activity):
    first, second = activity.prescribed
    books = [r.prescription.checkbook.number for r in activity.prescribed]
    common = (TODAY, "Mission Locale A", "48095", "Mende", "60+")
    assert rows_of(ExportName.REFERRALS, activity.programme) == [
        REFERRAL_HEADER,
        (
            first.pk,
            *common,
            "rsa ; senior",
            "securite ; comprehension",
            1,
            "Prescrite",
            TODAY,
            books[0],
            2,
        ),
        (
            second.pk,
            *common,
            "rsa ; senior",
            "securite ; comprehension",
            1,
            "Prescrite",
            TODAY,
            books[1],
            2,
        ),
        (
            activity.pending.pk,
            *common,
            "jeune",
            "outils_quotidien",
            2,
            "En attente",
            None,
            None,
            None,
        ),
        (activity.rejected.pk, *common, None, "outils_quotidien", 3, "Refusée", TODAY, None, None),
    ]


@pytest.mark.parametrize(
    ("birth", "day", "band"),
    [
        (datetime.date(2010, 6, 15), datetime.date(2026, 6, 15), "16-25"),
        (datetime.date(2000, 6, 15), datetime.date(2026, 6, 14), "16-25"),
        (datetime.date(2000, 6, 15), datetime.date(2026, 6, 15), "26-59"),
        (datetime.date(1966, 6, 15), datetime.date(2026, 6, 14), "26-59"),
        (datetime.date(1966, 6, 15), datetime.date(2026, 6, 15), "60+"),
        (datetime.date(2011, 6, 15), datetime.date(2026, 6, 15), "moins de 16"),
    ],
)
def test_age_band_at_a_day(birth, day, band):
    assert age_band(birth, day) == band


def test_the_age_band_is_the_age_at_the_referral(activity):
    """Born 1958-04-03: 59 on a referral of 2018, 60 today."""
    referral = activity.pending
    moment = timezone.make_aware(datetime.datetime(2018, 4, 2, 12))
    Referral.objects.filter(pk=referral.pk).update(created_at=moment)
    row = next(r for r in rows_of(ExportName.REFERRALS, activity.programme) if r[0] == referral.pk)
    assert (row[1], row[5]) == (datetime.date(2018, 4, 2), "26-59")


def test_passes_one_row_per_pass_never_its_code(activity):
    rows = rows_of(ExportName.PASSES, activity.programme)
    assert rows[0] == PASS_HEADER
    passes = list(Pass.objects.filter(programme=activity.programme).order_by("serial"))
    assert [r[0] for r in rows[1:]] == [p.serial for p in passes]
    first_book = activity.prescribed[0].prescription.checkbook
    redeemed, unused = passes[0], passes[2]
    assert rows[1] == (
        redeemed.serial,
        "Remboursé",
        Decimal("10.00"),
        first_book.number,
        first_book.issued_on,
        first_book.expires_on,
        TODAY,
        FIRST,
        "France services A",
        MONTH,
    )
    assert rows[3] == (
        unused.serial,
        "Attribué",
        Decimal("10.00"),
        first_book.number,
        first_book.issued_on,
        first_book.expires_on,
        None,
        None,
        None,
        None,
    )
    # The last pass of the last checkbook: redeemed, then its session undone.
    undone = activity.undone.redemptions.get().pass_obj
    row = next(r for r in rows if r[0] == undone.serial)
    assert (row[1], *row[6:]) == ("Attribué", None, None, None, None)
    assert rows[-1][1:4] == ("Disponible", Decimal("10.00"), None)  # stock
    text = b"".join(csv_chunks(rows)).decode()
    cells = " ".join(str(cell) for row in xlsx_of(rows) for cell in row)
    for p in passes:
        secret = keys.decrypt(p.code_encrypted)
        for code in (secret, codes.display(secret), p.code_digest, p.code_encrypted):
            assert code not in text
            assert code not in cells


def test_sessions_coop_columns_then_passnums(activity):
    first, second = activity.sessions
    place = activity.place
    themes = "Utilisation sécurisée du numérique ; Maîtrise des outils numériques du quotidien"
    tail = ("France services A", "48095", "Mende", None, 2, Decimal("20.00"))
    assert rows_of(ExportName.SESSIONS, activity.programme) == [
        SESSION_HEADER,
        (
            FIRST,
            "Accompagnement individuel",
            1,
            "Lieu d'activité",
            place.name,
            120,
            themes,
            first.pk,
            *tail,
        ),
        (
            FIRST,
            "Atelier collectif",
            1,
            "Lieu d'activité",
            place.name,
            120,
            themes,
            second.pk,
            *tail,
        ),
    ]  # the undone session is left out


def test_a_session_counts_one_participant_per_checkbook(activity):
    """Two people's passes in one collective session: 2 participants, 3 passes."""
    _first, second = activity.prescribed
    session = activity.sessions[0]
    other = second.prescription.checkbook.passes.order_by("serial")[2]
    session.redemptions.create(programme=activity.programme, pass_obj=other)
    row = next(r for r in rows_of(ExportName.SESSIONS, activity.programme) if r[7] == session.pk)
    assert (row[2], row[12], row[13]) == (2, 3, Decimal("30.00"))


def test_statements_one_row_per_statement(activity):
    statement = activity.statement
    assert rows_of(ExportName.STATEMENTS, activity.programme) == [
        STATEMENT_HEADER,
        (
            f"{statement.period:%Y%m}-{statement.pk}",
            "France services A",
            "12345678900012",
            MONTH,
            "Payé",
            4,
            Decimal("40.00"),
            timezone.localdate(statement.validated_at),
            TODAY,
            "VIR-A-001",
        ),
    ]


# --- Nothing personal, one programme ----------------------------------------------------------


@pytest.mark.parametrize("name", list(ExportName))
def test_no_name_contact_birth_date_nor_free_text_in_any_file(activity, name):
    rows = rows_of(name, activity.programme)
    data = b"".join(csv_chunks(rows)).decode("utf-8")
    texts = [data, " ".join(str(cell) for row in xlsx_of(rows) for cell in row)]
    secrets = [
        SECRET_FIRST_NAME,
        SECRET_LAST_NAME,
        SECRET_EMAIL,
        SECRET_PHONE,
        SECRET_COMMENT,
        SECRET_REASON,
        f"{BIRTH_DATE:%d/%m/%Y}",
        BIRTH_DATE.isoformat(),
    ]
    for text in texts:
        for secret in secrets:
            assert secret not in text, (name, secret)


def test_two_programmes_do_not_mix(activity):
    other = build_activity(ProgrammeFactory(), people=1, label="B")
    for name in ExportName:
        mine = rows_of(name, activity.programme)
        theirs = rows_of(name, other.programme)
        assert mine[0] == theirs[0]
        assert not set(mine[1:]) & set(theirs[1:])
        text = b"".join(csv_chunks(mine)).decode()
        assert "Mission Locale B" not in text
        assert "France services B" not in text
    assert {r[0] for r in rows_of(ExportName.PASSES, activity.programme)[1:]} == set(
        Pass.objects.filter(programme=activity.programme).values_list("serial", flat=True)
    )


# --- Periods ----------------------------------------------------------------------------------


def test_each_export_filters_on_its_date(activity):
    programme = activity.programme
    old = timezone.make_aware(datetime.datetime(2026, 1, 10, 23, 30))  # 10 January, Paris time
    Referral.objects.filter(pk=activity.pending.pk).update(created_at=old)
    Session.objects.filter(pk=activity.sessions[0].pk).update(date=datetime.date(2026, 1, 10))
    january = Period(datetime.date(2026, 1, 10), datetime.date(2026, 1, 31))
    assert [r[0] for r in rows_of(ExportName.REFERRALS, programme, january)[1:]] == [
        activity.pending.pk
    ]
    assert [r[7] for r in rows_of(ExportName.SESSIONS, programme, january)[1:]] == [
        activity.sessions[0].pk
    ]
    assert rows_of(ExportName.PASSES, programme, january)[1:] == []  # no checkbook then
    assert rows_of(ExportName.STATEMENTS, programme, january)[1:] == []
    # Passes: the day their checkbook was given, so the stock only without a period.
    this_month = Period(FIRST, None)
    assert len(rows_of(ExportName.PASSES, programme, this_month)) == 1 + 10
    assert len(rows_of(ExportName.PASSES, programme)) == 1 + 13
    # Statements: a month that overlaps the period counts.
    late_in_month = Period(TODAY, TODAY)
    assert len(rows_of(ExportName.STATEMENTS, programme, late_in_month)) == 2
    assert (
        rows_of(ExportName.STATEMENTS, programme, Period(None, FIRST - datetime.timedelta(1)))[1:]
        == []
    )


# --- Files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ExportName))
def test_csv_and_xlsx_read_back_equal_the_rows(activity, name):
    rows = rows_of(name, activity.programme)
    assert read_csv(b"".join(csv_chunks(rows))) == [[as_csv(v) for v in row] for row in rows]
    assert xlsx_of(rows, EXPORTS[name].sheet) == [tuple(as_xlsx(v) for v in row) for row in rows]


def test_csv_for_a_french_spreadsheet():
    rows = [
        ("Nom", "Date", "Montant (€)", "Nombre"),
        ('=HYPERLINK("x")', datetime.date(2026, 3, 9), Decimal("1234.50"), 3),
        ("Ligne ; avec « ; »", None, Decimal("0.00"), 0),
    ]
    data = b"".join(csv_chunks(rows))
    assert data.startswith("\ufeffNom;Date;Montant (€);Nombre\r\n".encode())
    assert '\'=HYPERLINK(""x"")";09/03/2026;1234,50;3\r\n' in data.decode()
    assert read_csv(data)[1:] == [
        ['\'=HYPERLINK("x")', "09/03/2026", "1234,50", "3"],
        ["Ligne ; avec « ; »", "", "0,00", "0"],
    ]


def test_xlsx_cells_are_typed_and_never_formulas():
    rows = [
        ("Nom", "Date", "Montant (€)"),
        ("=1+1", datetime.date(2026, 3, 9), Decimal("10.50")),
        ("texte\x07avec un caractère de contrôle", None, None),
    ]
    with write_file(iter(rows), ExportFormat.XLSX, title="Essai") as file:
        sheet = load_workbook(file)["Essai"]
    assert sheet.freeze_panes == "A2"
    formula, day, amount = sheet[2]
    assert (formula.value, formula.data_type) == ("=1+1", "s")
    assert (day.value, day.number_format) == (datetime.datetime(2026, 3, 9), "DD/MM/YYYY")
    assert (amount.value, amount.number_format) == (10.5, "#,##0.00")
    assert sheet["A3"].value == "texteavec un caractère de contrôle"
    assert sheet["A1"].font.bold


def test_csv_is_sent_by_pieces():
    rows = [("n",)] + [(n,) for n in range(1200)]
    pieces = list(csv_chunks(rows))
    assert len(pieces) == 3  # 500 rows, 500 rows, the rest
    assert read_csv(b"".join(pieces)) == [["n"]] + [[str(n)] for n in range(1200)]


# --- Queries ----------------------------------------------------------------------------------


def queries_to_read(name, programme) -> int:
    with CaptureQueriesContext(connection) as captured:
        list(EXPORTS[name].rows(programme, Period()))
    return len(captured)


@pytest.mark.parametrize("name", list(ExportName))
def test_the_number_of_queries_does_not_grow_with_the_rows(programme, name):
    build_activity(programme, people=1)
    few = queries_to_read(name, programme)
    assert few == 1
    # Many more rows of each kind: the same number of queries.
    build_activity(programme, people=6, label="B")
    assert queries_to_read(name, programme) == few


# --- Who may export what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (Kind.OPERATOR, list(ExportName)),
        (Kind.DEPARTMENT, [ExportName.REFERRALS]),
        (Kind.REFERRER, []),
        (Kind.PROVIDER, []),
        (Kind.FUNDER, []),
    ],
)
def test_who_may_export_what(make_actor, kind, allowed):
    actor = make_actor(kind)
    assert [e.name for e in exports_for(actor)] == allowed
    for name in ExportName:
        if name in allowed:
            assert ensure_can_export(actor, name).name == name
        else:
            with pytest.raises(NotAllowed):
                ensure_can_export(actor, name)


def test_an_unknown_export_is_named_in_french():
    with pytest.raises(InvalidInput) as refused:
        export_named("personnes")
    assert refused.value.message == (
        "Export inconnu : « personnes » (attendu : referrals, passes, sessions, statements)."
    )
    assert refused.value.extra["field"] == "name"


def test_file_names_say_the_period():
    export = EXPORTS[ExportName.SESSIONS]
    assert export.filename(Period(), "csv") == "passnum-seances.csv"
    period = Period(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert export.filename(period, "xlsx") == "passnum-seances_du-2026-01-01_au-2026-03-31.xlsx"
