"""A statement's documents: the CSV of its lines and its A4 PDF (French).

Neither shows anything about the people trained: serials, sessions and amounts only.
"""

import csv
import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from passnum.common.formats import euros_with_cents
from passnum.passes.pdf import markup
from passnum.providers.models import BankDetails

from .models import StatementStatus
from .periods import month_label, statement_number
from .selectors import statement_lines

CSV_HEADER = ["Numéro de série", "Date de la séance", "Durée (min)", "Services", "Montant (€)"]
BLUE = colors.HexColor("#000091")
GREY = colors.HexColor("#3a3a3a")


def euros_plain(cents: int) -> str:
    """1050 → « 10,50 » (a spreadsheet number in French notation)."""
    units, rest = divmod(int(cents), 100)
    return f"{units},{rest:02d}"


def masked_iban(iban: str) -> str:
    """Every character but the last four hidden, by groups of four counted from the end (so
    that the last four stay together)."""
    compact = iban.replace(" ", "")
    hidden = "*" * (len(compact) - 4) + compact[-4:]
    head = len(hidden) % 4
    groups = [hidden[:head]] if head else []
    groups += [hidden[i : i + 4] for i in range(head, len(hidden), 4)]
    return " ".join(groups)


def statement_csv(statement) -> str:
    """Semicolon-separated (the comma is the decimal mark), one line per pass, then the total."""
    lines = statement_lines(statement)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        writer.writerow(
            [
                line.serial,
                f"{line.session_date:%d/%m/%Y}",
                line.duration_minutes,
                line.services,
                euros_plain(line.value_cents),
            ]
        )
    writer.writerow(
        [f"Total ({len(lines)} pass)", "", "", "", euros_plain(sum(x.value_cents for x in lines))]
    )
    return out.getvalue()


def _status_text(statement) -> str:
    text = statement.get_status_display()
    if statement.validated_at:
        validated = timezone.localtime(statement.validated_at)
        text += f" — validé le {validated:%d/%m/%Y}"
    if statement.status == StatementStatus.PAID:
        text += f", payé le {statement.paid_on:%d/%m/%Y} (référence {statement.payment_reference})"
    return text


def statement_pdf(statement) -> bytes:
    lines = statement_lines(statement)
    organisation = statement.organisation
    # Once validated, the account copied then; before, the provider's current one.
    bank = (
        None
        if statement.payee_iban
        else BankDetails.objects.filter(organisation=organisation).first()
    )
    account = (
        f"{statement.payee_name} — IBAN {masked_iban(statement.payee_iban)}"
        if statement.payee_iban
        else f"{bank.account_holder} — IBAN {masked_iban(bank.iban)}"
        if bank
        else "non renseigné"
    )
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, textColor=GREY)
    title = ParagraphStyle(
        "title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20, textColor=BLUE
    )
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)
    facts = [
        ("Programme", statement.programme.name),
        ("Structure", organisation.name),
        ("SIRET", organisation.siret or "non renseigné"),
        ("Période", month_label(statement.period)),
        ("Relevé n°", statement_number(statement)),
        ("Statut", _status_text(statement)),
        (
            "Compte à créditer",
            account,
        ),
    ]
    story = [
        Paragraph("Relevé de remboursement des Pass numériques", title),
        Spacer(1, 4 * mm),
        Table(
            [[Paragraph(markup(k), body), Paragraph(markup(v), body)] for k, v in facts],
            colWidths=[40 * mm, 135 * mm],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [[Paragraph(f"<b>{markup(h)}</b>", body) for h in CSV_HEADER]]
    for line in lines:
        rows.append(
            [
                Paragraph(markup(line.serial), body),
                Paragraph(f"{line.session_date:%d/%m/%Y}", body),
                Paragraph(str(line.duration_minutes), right),
                Paragraph(markup(line.services), body),
                Paragraph(markup(euros_with_cents(line.value_cents)), right),
            ]
        )
    total = sum(x.value_cents for x in lines)
    rows.append(
        [
            Paragraph(f"<b>Total : {len(lines)} pass</b>", body),
            "",
            "",
            "",
            Paragraph(f"<b>{markup(euros_with_cents(total))}</b>", right),
        ]
    )
    story.append(
        Table(
            rows,
            colWidths=[38 * mm, 26 * mm, 20 * mm, 66 * mm, 25 * mm],
            repeatRows=1,
            style=TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#929292")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("SPAN", (0, -1), (3, -1)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Relevé {statement_number(statement)}",
        author=statement.programme.name,
    ).build(story)
    return buffer.getvalue()
