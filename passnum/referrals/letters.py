"""The printable batch of reminder letters (« Pass non utilisés »): one A4 page per person
reminded by letter (no email address known), for the organisation that reminded them to print
and hand over or post. passnum keeps no postal address: the letter names the person and their
commune, and the organisation adds the address.

Each letter says how many passes are left on which checkbook, until when, and where to use
them: the public pages « Où utiliser mes pass » (for the person's commune) and « Vérifier mes
pass », with the site's absolute address. Built with reportlab's standard fonts, like the
checkbook (``passes/pdf.py``): every typed text goes through ``markup``.
"""

import datetime
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from passnum.passes.pdf import BLUE, GREY, LIGHT_GREY, format_date, markup
from passnum.passes.reminders import check_passes_url, where_to_use_url

SIDE_MARGIN = 22 * mm
VERTICAL_MARGIN = 20 * mm


@dataclass(frozen=True)
class Letter:
    first_name: str
    last_name: str
    commune_name: str
    where_url: str
    checkbook_number: int
    passes_left: int
    expires_on: datetime.date
    programme_name: str


def letters_of(reminders, *, base_url: str = "") -> list[Letter]:
    """The letters of ``reminders`` (``selectors.letters_to_print``: each with
    ``passes_left``); ``base_url`` stands for the site's address when ``PASSNUM_SITE_URL`` is
    not set."""
    return [
        Letter(
            first_name=r.checkbook.beneficiary.first_name,
            last_name=r.checkbook.beneficiary.last_name,
            commune_name=r.checkbook.beneficiary.commune.name,
            where_url=where_to_use_url(r.checkbook.beneficiary.commune, base_url),
            checkbook_number=r.checkbook.number,
            passes_left=r.passes_left,
            expires_on=r.checkbook.expires_on,
            programme_name=r.checkbook.programme.name,
        )
        for r in reminders
    ]


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=11, leading=15, textColor=GREY)
    return {
        "base": base,
        "paragraph": ParagraphStyle("paragraph", parent=base, spaceAfter=8),
        "programme": ParagraphStyle(
            "programme", parent=base, fontName="Helvetica-Bold", fontSize=11, textColor=BLUE
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=22,
            leading=28,
            textColor=BLUE,
            spaceAfter=10,
        ),
        "address": ParagraphStyle("address", parent=base, leftIndent=95 * mm, fontSize=12),
        "link": ParagraphStyle(
            "link", parent=base, fontName="Helvetica-Bold", leftIndent=10, spaceAfter=8
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12),
    }


def _passes(count: int) -> str:
    return "1 pass" if count == 1 else f"{count} pass"


def _letter(letter: Letter, sender, day: datetime.date, check_url: str, styles) -> list:
    end = format_date(letter.expires_on)
    contact = [
        markup(sender.name),
        *(markup(line) for line in (sender.address, sender.email, sender.phone) if line),
    ]
    story = [
        Paragraph(markup(letter.programme_name), styles["programme"]),
        Paragraph("Pass numérique", styles["title"]),
        Paragraph(f"{markup(letter.first_name)} {markup(letter.last_name)}", styles["address"]),
        Paragraph(markup(letter.commune_name), styles["address"]),
        Spacer(1, 12 * mm),
        Paragraph(f"Le {format_date(day)}", styles["paragraph"]),
        Paragraph("<b>Objet : vos Pass numériques non utilisés</b>", styles["paragraph"]),
        Paragraph(f"Bonjour {markup(letter.first_name)},", styles["paragraph"]),
        Paragraph(
            f"Il vous reste <b>{_passes(letter.passes_left)}</b> sur votre chéquier Pass "
            f"numérique n° {letter.checkbook_number}, à utiliser <b>avant le {end}</b>.",
            styles["paragraph"],
        ),
        Paragraph(
            "Chaque pass donne droit à une heure d'accompagnement au numérique, sans frais pour "
            "vous, dans un lieu habilité : démarches en ligne, usage de l'ordinateur ou du "
            "téléphone, sécurité sur internet… Prenez rendez-vous et remettez un pass par "
            "heure suivie.",
            styles["paragraph"],
        ),
        Paragraph("Où utiliser vos pass, près de chez vous :", styles["base"]),
        Paragraph(markup(letter.where_url), styles["link"]),
        Paragraph("Combien de pass il vous reste :", styles["base"]),
        Paragraph(markup(check_url), styles["link"]),
        Paragraph(
            f"<b>Après le {end}, les pass non utilisés ne seront plus acceptés.</b>",
            styles["paragraph"],
        ),
        Spacer(1, 6 * mm),
        Paragraph("Pour toute question, adressez-vous à :", styles["base"]),
        Paragraph("<br/>".join(contact), styles["base"]),
    ]
    return [KeepInFrame(0, 0, story, mode="shrink")]


def _footer(canvas, doc):
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(LIGHT_GREY)
    canvas.drawString(SIDE_MARGIN, VERTICAL_MARGIN / 2, "Pass numérique · Relance")
    canvas.drawRightString(A4[0] - SIDE_MARGIN, VERTICAL_MARGIN / 2, f"Page {doc.page}")
    canvas.restoreState()


def render_letters_pdf(
    letters: list[Letter], *, sender, day: datetime.date, base_url: str = ""
) -> bytes:
    """The letters as one A4 PDF, a page each; ``sender`` is the organisation that reminds."""
    styles = _styles()
    check_url = check_passes_url(base_url)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=VERTICAL_MARGIN,
        bottomMargin=VERTICAL_MARGIN,
        title=f"Lettres de relance Pass numérique du {format_date(day)}",
        author=sender.name,
        creator="passnum",
        lang="fr-FR",
        displayDocTitle=True,
        invariant=1,
    )
    story = []
    for index, letter in enumerate(letters):
        if index:
            story.append(PageBreak())
        story += _letter(letter, sender, day, check_url, styles)
    pdf.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
