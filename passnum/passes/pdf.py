"""The printable checkbook: an A4 PDF with a cover and one cut-out coupon per pass.

The cover tells the person how to use their passes and where; each coupon carries the serial,
the code (in its printed form and as a QR code of its normalised form), the face value and
the end date. The PDF is built with reportlab's standard fonts (WinAnsi encoding): text that
cannot be encoded there is folded to its closest printable form rather than printed as boxes.
Every text that can hold data typed by someone goes through ``markup`` before it reaches a
``Paragraph``, whose markup would otherwise interpret ``<``, ``>`` and ``&``.
"""

import datetime
import io
import math
import unicodedata
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from passnum.common.formats import euros_with_cents, kilometres

from .documents import CheckbookDocument, PrintedPass

PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE_MARGIN = 15 * mm
VERTICAL_MARGIN = 14 * mm
FRAME_PADDING = 6  # points, reportlab's default frame padding on each side
PASSES_PER_PAGE = 3
COUPON_HEIGHT = math.floor(
    (PAGE_HEIGHT - 2 * VERTICAL_MARGIN - 2 * FRAME_PADDING) / PASSES_PER_PAGE
)
QR_SIZE = 42 * mm
QR_SCALE = 10  # pixels per module: a 21-module code gives a 290-pixel image with its border
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules

BLUE = colors.HexColor("#000091")  # « bleu France » of the State's design system
GREY = colors.HexColor("#3a3a3a")
LIGHT_GREY = colors.HexColor("#929292")

LOCATOR_TEXT = (
    "Retrouvez les lieux habilités sur le site du Pass numérique, "
    "rubrique « Où utiliser mes pass »."
)
LOCATOR_PATH = "/ou-utiliser-mes-pass/"
CHECKER_PATH = "/verifier-mes-pass/"


def _printable(value) -> str:
    """``value`` as text the standard PDF fonts can show: characters outside WinAnsi lose
    their accents (« ễ » → « e ») or become « ? »."""
    text = str(value or "")
    out = []
    for char in text:
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                base.encode("cp1252")
            except UnicodeEncodeError:
                base = "?"
            char = base
        out.append(char)
    return "".join(out)


def markup(value) -> str:
    """Data as Paragraph markup: printable and with ``&``, ``<`` and ``>`` escaped."""
    return escape(_printable(value))


def format_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def hours_text(count: int) -> str:
    """« 5 pass = 5 heures de formation »; « 1 pass = 1 heure de formation »."""
    hours = "heure" if count == 1 else "heures"
    return f"{count} pass = {count} {hours} de formation"


def qr_png(code: str) -> bytes:
    """The QR code of a normalised pass code, as a PNG image with its quiet zone."""
    qr = segno.make(code, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=10, leading=13, textColor=GREY)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=10.5),
        "programme": ParagraphStyle(
            "programme", parent=base, fontName="Helvetica-Bold", fontSize=11, textColor=BLUE
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=30,
            leading=36,
            textColor=BLUE,
            spaceBefore=4,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontName="Helvetica-Bold", fontSize=16, leading=20
        ),
        "lead": ParagraphStyle("lead", parent=base, fontSize=12, leading=16),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=12.5,
            leading=16,
            textColor=BLUE,
            spaceBefore=9,
            spaceAfter=4,
        ),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cell_right": ParagraphStyle(
            "cell_right", parent=base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
        ),
        "coupon_programme": ParagraphStyle(
            "coupon_programme", parent=base, fontSize=8.5, leading=10.5
        ),
        "coupon_note": ParagraphStyle("coupon_note", parent=base, fontSize=7.5, leading=9.5),
        "qr_caption": ParagraphStyle(
            "qr_caption", parent=base, fontSize=7, leading=8.5, alignment=TA_CENTER
        ),
    }


def _bullets(items, style) -> list[Paragraph]:
    bulleted = ParagraphStyle(
        f"{style.name}_bullet", parent=style, leftIndent=12, bulletIndent=2, spaceAfter=2
    )
    return [Paragraph(item, bulleted, bulletText="•") for item in items]


def _places_table(document: CheckbookDocument, styles) -> Table:
    rows = [
        [
            Paragraph("Lieu", styles["cell_head"]),
            Paragraph("Téléphone", styles["cell_head"]),
            Paragraph("Distance", styles["cell_head"]),
            Paragraph("Services proposés", styles["cell_head"]),
        ]
    ]
    for nearby in document.places:
        place = nearby.place
        where = ", ".join(markup(part) for part in (place.address, place.commune.name) if part)
        rows.append(
            [
                Paragraph(f"<b>{markup(place.name)}</b><br/>{where}", styles["cell"]),
                Paragraph(markup(place.phone) or "—", styles["cell"]),
                Paragraph(markup(kilometres(nearby.distance_km)), styles["cell_right"]),
                Paragraph(markup(", ".join(place.service_labels)), styles["cell"]),
            ]
        )
    width = PAGE_WIDTH - 2 * SIDE_MARGIN - 2 * FRAME_PADDING
    table = Table(
        rows,
        colWidths=[width * 0.36, width * 0.16, width * 0.12, width * 0.36],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, LIGHT_GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _cover(document: CheckbookDocument, styles) -> list[Flowable]:
    count = len(document.passes)
    end = format_date(document.expires_on)
    story: list[Flowable] = [
        Paragraph(markup(document.programme_name), styles["programme"]),
        Paragraph("Pass numérique", styles["title"]),
        Paragraph(f"Chéquier n° {document.checkbook.number}", styles["subtitle"]),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Ce chéquier est destiné à <b>{markup(document.first_name)}</b>.", styles["lead"]
        ),
        Paragraph(
            f"<b>{markup(hours_text(count))}</b>, d'une valeur totale de "
            f"{markup(euros_with_cents(document.total_cents))}.",
            styles["lead"],
        ),
        Paragraph(f"<b>Valable jusqu'au {end}</b>", styles["lead"]),
        Paragraph("Comment utiliser vos pass", styles["heading"]),
        *_bullets(
            [
                "Un pass vaut <b>une heure de formation</b> au numérique dans un lieu "
                "habilité par le programme.",
                "Après chaque séance, <b>remettez au lieu de formation un pass par heure "
                "suivie</b> : c'est ainsi qu'il est payé pour vous former. La formation ne "
                "vous coûte rien.",
                "<b>Gardez vos codes secrets</b> : ne les communiquez à personne d'autre "
                "qu'au lieu qui vous forme, ni par téléphone, ni par courriel, ni par SMS.",
                "<b>Ne perdez pas vos pass</b> : ils ont la valeur d'un billet. En cas de "
                "perte ou de vol, prévenez la structure qui vous a orienté ou le "
                "Département : les pass perdus peuvent être annulés et remplacés.",
                f"<b>Les pass non utilisés ne sont plus valables après le {end}.</b>",
                "Pour savoir combien de pass il vous reste, utilisez la rubrique « Vérifier "
                f"mes pass » du site du Pass numérique ({CHECKER_PATH}).",
            ],
            styles["base"],
        ),
    ]
    if document.needs:
        story += [
            Paragraph("Ce que vous souhaitez apprendre", styles["heading"]),
            *_bullets([markup(label) for label in document.needs], styles["base"]),
        ]
    near = f" de {markup(document.commune_name)}" if document.commune_name else ""
    story.append(Paragraph(f"Les lieux habilités les plus proches{near}", styles["heading"]))
    if document.places:
        story += [
            _places_table(document, styles),
            Spacer(1, 2 * mm),
            Paragraph(
                f"{markup(LOCATOR_TEXT)} Vous pouvez utiliser vos pass dans tout lieu "
                f"habilité du programme ({LOCATOR_PATH}).",
                styles["small"],
            ),
        ]
    else:
        story.append(
            Paragraph(
                f"{markup(LOCATOR_TEXT)} Adresse de la rubrique : {LOCATOR_PATH}",
                styles["base"],
            )
        )
    # The cover always holds on its first page, so that the passes start on page 2.
    return [KeepInFrame(0, 0, story, mode="shrink")]


class PassCoupon(Flowable):
    """One pass, in a dashed frame to cut along, with its QR code on the right."""

    def __init__(
        self, printed: PrintedPass, index: int, document: CheckbookDocument, styles
    ) -> None:
        super().__init__()
        self.printed = printed
        self.index = index
        self.document = document
        self.styles = styles

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = COUPON_HEIGHT
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        printed = self.printed
        value = _printable(euros_with_cents(printed.value_cents))
        inset = 2.5 * mm
        pad = 6 * mm
        left, bottom = inset, inset
        right, top = self.width - inset, self.height - inset

        # The cut line, with scissors on its top edge.
        canvas.saveState()
        canvas.setStrokeColor(LIGHT_GREY)
        canvas.setLineWidth(0.8)
        canvas.setDash(4, 3)
        canvas.rect(left, bottom, right - left, top - bottom)
        canvas.restoreState()
        canvas.saveState()
        canvas.setFillColor(colors.white)
        canvas.rect(left + 6 * mm, top - 2.2 * mm, 6 * mm, 4.4 * mm, stroke=0, fill=1)
        canvas.setFillColor(LIGHT_GREY)
        canvas.setFont("ZapfDingbats", 11)
        canvas.drawString(left + 7 * mm, top - 1.4 * mm, "\u2702")
        canvas.restoreState()

        # The QR code on the right, vertically centred, with what it is for below it.
        qr_left = right - pad - QR_SIZE
        qr_bottom = (self.height - QR_SIZE) / 2 + 3 * mm
        canvas.drawImage(
            ImageReader(io.BytesIO(qr_png(printed.code))), qr_left, qr_bottom, QR_SIZE, QR_SIZE
        )
        caption = Paragraph("Code à lire par le lieu de formation", self.styles["qr_caption"])
        _, caption_height = caption.wrap(QR_SIZE + 6 * mm, 20 * mm)
        caption.drawOn(canvas, qr_left - 3 * mm, qr_bottom - caption_height)

        # The text on the left: a heading with the value, then serial, code and end date.
        x = left + pad
        text_right = qr_left - 8 * mm
        y = top - pad - 16

        canvas.setFillColor(BLUE)
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(x, y, "PASS NUMÉRIQUE")
        canvas.setFont("Helvetica-Bold", 22)
        canvas.drawRightString(text_right, y - 2, value)
        canvas.setFillColor(GREY)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(text_right, y - 15, "= 1 heure de formation")

        programme = Paragraph(
            markup(self.document.programme_name), self.styles["coupon_programme"]
        )
        _, programme_height = programme.wrap(text_right - x - 42 * mm, 30 * mm)
        y -= 4 + programme_height
        programme.drawOn(canvas, x, y)

        canvas.setFillColor(GREY)
        canvas.setFont("Helvetica", 8)
        y -= 8 * mm
        canvas.drawString(x, y, "N° DE SÉRIE")
        canvas.setFont("Helvetica-Bold", 13)
        y -= 15
        canvas.drawString(x, y, _printable(printed.serial))

        canvas.setFont("Helvetica", 8)
        y -= 7 * mm
        canvas.drawString(x, y, "CODE SECRET")
        canvas.setFillColor(colors.black)
        canvas.setFont("Courier-Bold", 26)
        y -= 25
        canvas.drawString(x, y, _printable(printed.code_display))

        canvas.setFillColor(GREY)
        canvas.setFont("Helvetica-Bold", 12)
        y -= 9 * mm
        canvas.drawString(x, y, f"Valable jusqu'au {format_date(printed.expires_on)}")
        canvas.setFont("Helvetica", 9)
        y -= 14
        canvas.drawString(
            x,
            y,
            f"Chéquier n° {self.document.checkbook.number} · pass {self.index} sur "
            f"{len(self.document.passes)}",
        )

        note = Paragraph(
            "À remettre au lieu de formation habilité après une heure de séance. "
            f"Ne communiquez ce code à personne d'autre : il vaut {markup(value)}.",
            self.styles["coupon_note"],
        )
        note.wrap(text_right - x, 30 * mm)
        note.drawOn(canvas, x, bottom + pad - 2 * mm)


def _footer(document: CheckbookDocument):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(LIGHT_GREY)
        y = VERTICAL_MARGIN / 2
        text = f"Pass numérique · Chéquier n° {document.checkbook.number}"
        if doc.page > 1:
            text += " · Découpez chaque pass le long des pointillés."
        canvas.drawString(SIDE_MARGIN, y, text)
        canvas.drawRightString(PAGE_WIDTH - SIDE_MARGIN, y, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def render_checkbook_pdf(document: CheckbookDocument) -> bytes:
    """The checkbook as an A4 PDF: a cover, then the passes, three to a page."""
    styles = _styles()
    number = document.checkbook.number
    count = len(document.passes)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=VERTICAL_MARGIN,
        bottomMargin=VERTICAL_MARGIN,
        title=f"Chéquier Pass numérique n° {number}",
        author=document.programme_name,
        subject=(
            f"Pass numérique : {hours_text(count)}, valable jusqu'au "
            f"{format_date(document.expires_on)}"
        ),
        creator="passnum",
        lang="fr-FR",
        displayDocTitle=True,
        invariant=1,  # no timestamp nor random identifier: the same document, the same bytes
    )
    story = _cover(document, styles)
    if document.passes:
        story.append(PageBreak())
        story += [
            PassCoupon(printed, index, document, styles)
            for index, printed in enumerate(document.passes, start=1)
        ]
    footer = _footer(document)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
