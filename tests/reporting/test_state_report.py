"""The report for the State: its period, its sections built from the indicators (figure by
figure), its PDF read back with pypdf and its XLSX read back with openpyxl; another programme's
figures never appear in it."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from passnum.common.exceptions import InvalidInput, NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import IN_LEDGER, PassStatus
from passnum.referential.enums import Public
from passnum.reporting.indicators import OUTSIDE_PRIORITY, PIC_TARGET, indicators_for_programme
from passnum.reporting.periods import EVERYTHING, Period
from passnum.reporting.report_documents import renderer_for, sheet_name, write_pdf, write_xlsx
from passnum.reporting.state_report import (
    Money,
    Share,
    display,
    parse_year,
    period_of,
    report_years,
    state_report_for,
    state_report_for_programme,
)
from tests.factories import ProgrammeFactory
from tests.reporting.test_indicators import TODAY
from tests.reporting.test_indicators_for_the_state import enrich

Kind = OrganisationKind


@pytest.fixture
def two_programmes(db, communes):
    lozere = ProgrammeFactory(name="Pass numérique Lozère")
    other = ProgrammeFactory(name="Pass numérique Ailleurs", engineering_cents=5_000_00)
    enrich(lozere, seed=31)
    enrich(other, seed=32)
    return lozere, other


def values(section) -> dict:
    """A two-column section as {label: value}."""
    return {row[0]: row[1] for row in section.rows}


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


# Which report, which period.


def test_a_year_is_the_calendar_year_from_the_programme_s_first_day(db):
    programme = ProgrammeFactory(starts_on=date(2026, 4, 1), ends_on=date(2028, 6, 30))
    today = date(2027, 11, 20)

    assert report_years(programme, today) == [2026, 2027]
    assert period_of(programme, 2026, today) == Period(date(2026, 4, 1), date(2026, 12, 31))
    # The year running ends on the day of edition.
    assert period_of(programme, 2027, today) == Period(date(2027, 1, 1), today)
    # The programme's last year is not cut at its end: passes stay valid after it.
    assert period_of(programme, 2028, date(2029, 3, 1)) == Period(
        date(2028, 1, 1), date(2028, 12, 31)
    )
    assert period_of(programme, None, today) == EVERYTHING
    assert report_years(programme, date(2026, 3, 31)) == []


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "year_required", "Choisissez une année du programme (2026 à 2028) ou « final »."),
        (None, "year_required", "Choisissez une année"),
        ("2031", "unknown_year", "L'année 2031 n'est pas une année du programme (2026 à 2028)."),
        ("2025", "unknown_year", "n'est pas une année du programme"),
        ("2027", "year_not_started", "L'année 2027 n'a pas commencé"),
        ("²⁰²⁶", "invalid_year", "« ²⁰²⁶ » n'est ni une année (AAAA) ni « final »."),
        ("२०२६", "invalid_year", "n'est ni une année"),
        ("20266", "invalid_year", "n'est ni une année"),
        ("-202", "invalid_year", "n'est ni une année"),
        ("finale", "invalid_year", "n'est ni une année"),
        ("9" * 40, "invalid_year", "n'est ni une année"),
    ],
)
def test_a_year_outside_the_programme_is_refused_in_french(programme, typed, code, message):
    with pytest.raises(InvalidInput) as refused:
        parse_year(programme, typed, TODAY)

    assert refused.value.code == code
    assert refused.value.extra["field"] == "year"
    assert message in refused.value.message


@pytest.mark.parametrize(("typed", "year"), [("2026", 2026), (" 2026 ", 2026), ("FINAL", None)])
def test_a_year_or_final(programme, typed, year):
    assert parse_year(programme, typed, TODAY) == year


@pytest.mark.parametrize("typed", ["docx", "", None, "pdf ²", "csv"])
def test_an_unknown_format_is_refused_in_french(typed):
    with pytest.raises(InvalidInput, match="choisissez pdf ou xlsx") as refused:
        renderer_for(typed)
    assert refused.value.code == "invalid_format"


def test_only_the_operator_and_the_funders_get_the_report(programme, make_actor):
    for kind in (Kind.OPERATOR, Kind.FUNDER):
        assert state_report_for(make_actor(kind), "final", today=TODAY).is_final
    for kind in (Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER):
        with pytest.raises(NotAllowed, match="Seuls le pilote et les financeurs"):
            state_report_for(make_actor(kind), "final", today=TODAY)


# Every figure is the indicators'.


@pytest.mark.parametrize("year", ["2026", "final"])
def test_every_figure_is_the_indicators(two_programmes, year):
    lozere, _ = two_programmes
    report = state_report_for_programme(lozere, year, today=TODAY)
    period = Period(date(2026, 1, 1), TODAY) if year == "2026" else EVERYTHING
    fig = indicators_for_programme(lozere, period, today=TODAY)
    assert report.period == period

    summary = values(report.section("synthese"))
    assert summary["Pass achetés, au registre à la date d'édition"] == sum(
        fig.ledger_passes[s] for s in IN_LEDGER
    )
    assert summary["Valeur des pass au registre"] == Money(fig.budget.ledger_cents)
    assert summary["Pass entrés au registre dans la période"] == fig.acquired.passes
    assert summary["Chéquiers prescrits"] == fig.checkbooks.prescribed
    assert summary["Pass prescrits"] == fig.prescribed_passes.passes
    assert summary["Personnes ayant reçu un chéquier"] == fig.people
    assert summary["Pass utilisés"] == fig.used.passes
    assert summary["Valeur des pass utilisés"] == Money(fig.used.cents)
    assert summary["Taux d'utilisation des pass prescrits"] == Share(fig.usage_rate)
    assert summary["Part des publics du PIC"] == Share(fig.pic_share)
    assert summary["Dépenses d'ingénierie de la période"] == Money(
        fig.engineering.spent_in_period_cents
    )

    budget = values(report.section("budget"))
    assert budget["Disponible"] == Money(fig.budget.available_cents)
    assert budget["Consommé : pass utilisés"] == Money(fig.budget.consumed_cents)

    stock = values(report.section("pass"))
    assert stock["Disponibles (en stock)"] == fig.ledger_passes[PassStatus.AVAILABLE]
    assert stock["Hors registre : expirés"] == fig.ledger_passes[PassStatus.EXPIRED]
    assert (
        stock["Entrés au registre dans la période : importés d'un opérateur"]
        == fig.acquired.imported
    )

    prescriptions = values(report.section("prescriptions"))
    assert prescriptions["dont au moins un pass utilisé"] == fig.checkbooks.started
    assert prescriptions["dont tous les pass utilisés"] == fig.checkbooks.finished
    assert prescriptions["Valeur des pass prescrits"] == Money(fig.prescribed_passes.cents)
    assert (
        prescriptions["Délai médian avant la première utilisation (jours)"]
        == fig.median_days_to_first_use
    )

    funnel = values(report.section("entonnoir"))
    assert funnel["Utilisés et remboursés"] == fig.passes[PassStatus.REIMBURSED]
    assert funnel["Annulés (perdus ou volés)"] == fig.passes[PassStatus.CANCELLED]

    publics = {row[0]: row[1:3] for row in report.section("publics").rows}
    assert publics["Bénéficiaire du rSa"] == (
        fig.people_by_public[Public.RSA],
        fig.by_public[Public.RSA],
    )
    assert publics["Hors public prioritaire"] == (
        fig.people_by_public[OUTSIDE_PRIORITY],
        fig.by_public[OUTSIDE_PRIORITY],
    )

    pic = values(report.section("pic"))
    assert pic["Chéquiers prescrits à des publics du PIC"] == fig.pic_checkbooks
    assert pic["Objectif"] == Share(PIC_TARGET)
    assert pic["Objectif atteint"] == ("oui" if fig.pic_target_met else "non")

    assert [row[1:] for row in report.section("communes").rows] == [
        (
            c.insee_code,
            next(e.name for e in fig.by_epci if e.code == c.epci_code),
            c.people,
            c.prescribed,
            c.used.passes,
            Money(c.used.cents),
        )
        for c in fig.by_commune
    ]
    assert list(report.section("intercommunalites").rows) == [
        (e.name, e.people, e.prescribed, e.used.passes, Money(e.used.cents)) for e in fig.by_epci
    ]
    assert [row[:3] for row in report.section("financeurs").rows] == [
        (u.funder.name, Share(u.funder.share_basis_points / 10_000), Money(u.of_used_cents))
        for u in fig.funders_used
    ]
    engineering = values(report.section("ingenierie"))
    assert engineering["Dépensé depuis le début du programme"] == Money(
        fig.engineering.spent_cents
    )
    assert engineering["Reste de la part ingénierie"] == Money(fig.engineering.left_cents)
    assert engineering["Dépenses de la période"] == fig.engineering.expenses_in_period
    assert [row[1:] for row in report.section("mois").rows] == [
        (m.prescribed, m.used.passes, Money(m.used.cents)) for m in fig.by_month
    ]
    keys = [s.key for s in report.sections]
    assert ("annees" in keys) == (year == "final")


def test_another_programme_s_figures_never_appear(two_programmes):
    lozere, other = two_programmes
    report = state_report_for_programme(lozere, "final", today=TODAY)
    fig = indicators_for_programme(lozere, today=TODAY)
    foreign = indicators_for_programme(other, today=TODAY)

    funders = [row[0] for row in report.section("financeurs").rows]
    assert funders == [u.funder.name for u in fig.funders_used]
    assert not {u.funder.name for u in foreign.funders_used} & set(funders)
    assert values(report.section("ingenierie"))["Part ingénierie du programme"] == Money(
        lozere.engineering_cents
    )
    assert report.programme_name == "Pass numérique Lozère"
    pdf = io.BytesIO()
    write_pdf(report, pdf)
    text = plain("".join(page.extract_text() for page in PdfReader(pdf).pages))
    assert "Ailleurs" not in text
    assert "État 32" not in text


# The documents.


def test_the_pdf_reads_back(two_programmes):
    lozere, _ = two_programmes
    report = state_report_for_programme(lozere, "2026", today=TODAY)
    out = io.BytesIO()
    write_pdf(report, out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    text = plain("\n".join(page.extract_text() for page in reader.pages))

    assert reader.metadata.title == "Bilan 2026 pour l'État"
    assert "Bilan 2026 pour l'État Pass numérique Lozère Période" in text
    assert "Bilan 2026 pour l'État — Pass numérique Lozère Page 1" in text  # the footer
    assert "Période : du 1er janvier 2026 au 20 novembre 2026 (année en cours)." in text
    assert "Édité le 20 novembre 2026" in text
    for section in report.sections:
        assert plain(section.title) in text
    fig = indicators_for_programme(lozere, report.period, today=TODAY)
    assert f"Pass utilisés {fig.used.passes}" in text
    assert f"Valeur des pass utilisés {plain(display(Money(fig.used.cents)))}" in text
    assert f"Chéquiers prescrits {fig.checkbooks.prescribed}" in text
    assert f"Part des publics du PIC {plain(display(Share(fig.pic_share)))}" in text
    assert "Objectif 50,0 %" in text
    for use in fig.funders_used:
        assert f"{use.funder.name} " in text
        assert plain(display(Money(use.of_used_cents))) in text
    assert "Page 1" in text
    assert "Page 2" in text


def test_the_xlsx_reads_back_one_sheet_per_section(two_programmes):
    lozere, _ = two_programmes
    report = state_report_for_programme(lozere, "final", today=TODAY)
    out = io.BytesIO()
    write_xlsx(report, out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))

    assert workbook.sheetnames == [
        "Présentation",
        "Chiffres clés",
        "Budget",
        "Pass achetés",
        "Prescriptions",
        "Devenir des pass",
        "Publics",
        "Part du PIC",
        "Communes",
        "Intercommunalités",
        "Financeurs",
        "Ingénierie",
        "Par mois",
        "Par année",
    ]
    cover = workbook["Présentation"]
    assert cover["A1"].value == "Bilan final pour l'État"
    assert [cover["A2"].value, cover["B2"].value] == ["Programme", "Pass numérique Lozère"]
    for section in report.sections:
        sheet = workbook[sheet_name(section)]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == section.columns
        assert len(rows) == len(section.rows) + 1
        for written, row in zip(rows[1:], section.rows, strict=True):
            want = tuple(
                c.cents / 100 if isinstance(c, Money) else c.value if isinstance(c, Share) else c
                for c in row
            )
            assert (
                tuple(v.date() if hasattr(v, "date") and callable(v.date) else v for v in written)
                == want
            )
    fig = indicators_for_programme(lozere, today=TODAY)
    summary = {row[0]: row[1] for row in workbook["Chiffres clés"].iter_rows(values_only=True)}
    assert summary["Pass utilisés"] == fig.used.passes
    assert summary["Valeur des pass utilisés"] == fig.used.cents / 100
    money = workbook["Chiffres clés"]["B3"]
    assert money.number_format.endswith('"€"')
    assert workbook["Par année"].max_row == len(fig.by_year) + 1


def test_an_empty_programme_makes_a_report_too(programme):
    report = state_report_for_programme(programme, "2026", today=TODAY)
    for write in (write_pdf, write_xlsx):
        out = io.BytesIO()
        write(report, out)
        assert out.getvalue()
    assert report.section("communes").rows == ()
    text = plain("".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdf(report))).pages))
    assert "Aucune donnée." in text


def _pdf(report) -> bytes:
    out = io.BytesIO()
    write_pdf(report, out)
    return out.getvalue()
