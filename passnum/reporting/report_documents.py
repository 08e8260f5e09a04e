"""The State report's documents: an A4 PDF (reportlab, its standard fonts: no system library) and
an XLSX workbook (openpyxl, one sheet per section). Each renderer writes into a binary file-like
object, so that a background task can write the file where it is kept as well as a view can
answer it; the report itself (``state_report.StateReport``) is built beforehand."""

import datetime
from typing import BinaryIO
from xml.sax.saxutils import unescape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from passnum.common.exceptions import InvalidInput
from passnum.passes.pdf import markup

from .state_report import Money, Share, StateReport, display, long_date

BLUE = colors.HexColor("#000091")  # « bleu France » of the State's design system
GREY = colors.HexColor("#3a3a3a")
LINE = colors.HexColor("#929292")
HEAD = colors.HexColor("#e3e3fd")
ZEBRA = colors.HexColor("#f6f6f6")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
FONT, BOLD_FONT, FONT_SIZE = "Helvetica", "Helvetica-Bold", 8.5
CELL_PADDING = 14  # points: reportlab's 6 on each side, and a little air
FIGURE_WIDTH = 24 * mm
KEPT_TOGETHER = 25  # rows: a longer table may start at the foot of a page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


# PDF


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9.5, leading=12, textColor=GREY)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=20,
            leading=24,
            textColor=BLUE,
            spaceAfter=4,
        ),
        "lead": ParagraphStyle("lead", parent=base, fontSize=11, leading=15),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=12.5,
            leading=16,
            textColor=BLUE,
            spaceBefore=10,
            spaceAfter=3,
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=base, fontSize=FONT_SIZE, leading=10.5),
        "head": ParagraphStyle(
            "head", parent=base, fontName="Helvetica-Bold", fontSize=FONT_SIZE, leading=10.5
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontSize=FONT_SIZE, leading=10.5, alignment=TA_RIGHT
        ),
        "head_number": ParagraphStyle(
            "head_number",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=FONT_SIZE,
            leading=10.5,
            alignment=TA_RIGHT,
        ),
    }


def _column_widths(section) -> list[float]:
    """Each column as wide as its longest text and the longest word of its header; figures
    never wrap, the text columns share what is left (the first one, the labels, takes any
    room to spare)."""
    wants = []
    for i, label in enumerate(section.columns):
        cells = [stringWidth(display(row[i]), FONT, FONT_SIZE) for row in section.rows]
        word = max(stringWidth(w, BOLD_FONT, FONT_SIZE) for w in label.split())
        wants.append(max([word, *cells]) + CELL_PADDING)
    figures = section.figure_columns
    # A figure's header on two lines at most, room permitting.
    widened = [
        max(w, min(FIGURE_WIDTH, stringWidth(label, BOLD_FONT, FONT_SIZE) / 2 + CELL_PADDING))
        if figure
        else w
        for w, figure, label in zip(wants, figures, section.columns, strict=True)
    ]
    if sum(widened) <= WIDTH:
        wants = widened
    fixed = sum(w for w, figure in zip(wants, figures, strict=True) if figure)
    flexible = sum(w for w, figure in zip(wants, figures, strict=True) if not figure)
    if fixed + flexible <= WIDTH:
        return [w + (WIDTH - fixed - flexible if i == 0 else 0) for i, w in enumerate(wants)]
    if fixed < WIDTH:
        ratio = (WIDTH - fixed) / flexible
        return [w if figure else w * ratio for w, figure in zip(wants, figures, strict=True)]
    return [w * WIDTH / (fixed + flexible) for w in wants]


def _table(section, styles) -> Table:
    figures = section.figure_columns
    head = [
        Paragraph(markup(label), styles["head_number" if figures[i] else "head"])
        for i, label in enumerate(section.columns)
    ]
    body = [
        [
            Paragraph(markup(display(cell)), styles["number" if figures[i] else "cell"])
            for i, cell in enumerate(row)
        ]
        for row in section.rows
    ]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    commands += [("BACKGROUND", (0, i), (-1, i), ZEBRA) for i in range(2, len(body) + 1, 2)]
    return Table(
        [head, *body],
        colWidths=_column_widths(section),
        repeatRows=1,
        style=TableStyle(commands),
    )


def write_pdf(report: StateReport, out: BinaryIO) -> None:
    """The report as an A4 PDF, written into ``out``."""
    styles = _styles()
    story = [
        Paragraph(markup(report.title), styles["title"]),
        Paragraph(markup(report.programme_name), styles["lead"]),
        Spacer(1, 2 * mm),
        Paragraph(markup(f"Période : {report.period_label}."), styles["base"]),
        Paragraph(
            markup(f"Édité le {long_date(report.edited_on)}, à partir du registre des pass."),
            styles["base"],
        ),
        Paragraph(
            markup(
                "Agrégats seulement : aucune donnée ne permet d'identifier une personne. "
                "Montants en euros."
            ),
            styles["note"],
        ),
    ]
    for section in report.sections:
        heading = [Paragraph(markup(section.title), styles["heading"])]
        if section.note:
            heading.append(Paragraph(markup(section.note), styles["note"]))
        if not section.rows:
            story.append(KeepTogether([*heading, Paragraph("Aucune donnée.", styles["base"])]))
        elif len(section.rows) <= KEPT_TOGETHER:
            # A short table stays on one page with its heading.
            story.append(KeepTogether([*heading, _table(section, styles)]))
        else:
            story += [*heading, _table(section, styles)]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GREY)
        text = unescape(markup(f"{report.title} — {report.programme_name}"))
        canvas.drawString(MARGIN, 9 * mm, text)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, f"Page {doc.page}")
        canvas.restoreState()

    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=report.title,
        author=report.programme_name,
        subject=f"Période : {report.period_label}",
        lang="fr-FR",
    ).build(story, onFirstPage=footer, onLaterPages=footer)


# XLSX

EURO_FORMAT = '#,##0.00\\ "€"'
SHARE_FORMAT = "0.0\\ %"
DATE_FORMAT = "DD/MM/YYYY"
BOLD = Font(bold=True)
# The sheets' names, by section: 31 characters at most, none of / \ ? * [ ] :
SHEETS = {
    "synthese": "Chiffres clés",
    "budget": "Budget",
    "pass": "Pass achetés",
    "prescriptions": "Prescriptions",
    "entonnoir": "Devenir des pass",
    "publics": "Publics",
    "pic": "Part du PIC",
    "communes": "Communes",
    "intercommunalites": "Intercommunalités",
    "financeurs": "Financeurs",
    "ingenierie": "Ingénierie",
    "mois": "Par mois",
    "annees": "Par année",
}


def sheet_name(section) -> str:
    return SHEETS.get(section.key, section.key)[:31]


HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")


def _xlsx_value(cell):
    """A cell as a spreadsheet value and its number format."""
    if isinstance(cell, Money):
        return cell.cents / 100, EURO_FORMAT
    if isinstance(cell, Share):
        return cell.value, SHARE_FORMAT
    if isinstance(cell, datetime.date):
        return cell, DATE_FORMAT
    return cell, None


def write_xlsx(report: StateReport, out: BinaryIO) -> None:
    """The report as an XLSX workbook, written into ``out``: a first sheet presents it, then one
    sheet per section, its header on the first row."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Présentation"
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Programme", report.programme_name),
        ("Période", report.period_label),
        ("Édité le", report.edited_on),
        ("Montants", "en euros"),
    ):
        cover.append([label, value])
        if isinstance(value, datetime.date):
            cover.cell(cover.max_row, 2).number_format = DATE_FORMAT
    cover.append([])
    cover.append(["Feuille", "Contenu"])
    for cell in cover[cover.max_row]:
        cell.font = BOLD
    for section in report.sections:
        cover.append([sheet_name(section), f"{section.title}. {section.note}".strip()])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 110

    for section in report.sections:
        sheet = workbook.create_sheet(sheet_name(section))
        sheet.append(list(section.columns))
        for cell in sheet[1]:
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in section.rows:
            values = [_xlsx_value(cell) for cell in row]
            sheet.append([value for value, _ in values])
            for column, (_, number_format) in enumerate(values, start=1):
                if number_format:
                    sheet.cell(sheet.max_row, column).number_format = number_format
        sheet.freeze_panes = "A2"
        for column, label in enumerate(section.columns, start=1):
            longest = max(
                [len(label) if column > 1 else 0]
                + [len(display(row[column - 1])) for row in section.rows]
            )
            sheet.column_dimensions[get_column_letter(column)].width = min(
                max(longest + 2, 14), 70
            )
    workbook.save(out)


RENDERERS = {"pdf": (write_pdf, PDF), "xlsx": (write_xlsx, XLSX)}


def renderer_for(value):
    """The renderer and content type of a format as typed (« pdf », « xlsx »); 422 otherwise."""
    key = str(value or "").strip().lower()
    if key not in RENDERERS:
        typed = str(value or "").strip()[:20]
        raise InvalidInput(
            f"Format inconnu « {typed} » : choisissez pdf ou xlsx."
            if typed
            else "Indiquez le format du bilan : choisissez pdf ou xlsx.",
            code="invalid_format",
            field="format",
        )
    writer, content_type = RENDERERS[key]
    return key, writer, content_type
