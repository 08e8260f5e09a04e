"""The printable checkbook, read back from the PDF bytes as a person (or a scanner) would."""

import io
from datetime import date

import pytest
import zxingcpp
from pypdf import PdfReader

from passnum.common.formats import euros_with_cents as format_euros
from passnum.common.formats import kilometres as format_distance
from passnum.organisations.enums import OrganisationKind
from passnum.passes.documents import checkbook_document, checkbook_for
from passnum.passes.pdf import hours_text, render_checkbook_pdf
from passnum.passes.services import cancel_and_replace, generate_passes
from passnum.referrals.services import prescribe
from tests.factories import (
    BeneficiaryFactory,
    CommuneFactory,
    ProviderPlaceFactory,
    ReferralFactory,
)

TODAY = date(2026, 3, 2)
END = "01/09/2026"  # 183 days after TODAY, the programme's default validity


def commune(insee_code, name, latitude, longitude) -> dict:
    return {"insee_code": insee_code, "name": name, "latitude": latitude, "longitude": longitude}


# Real Lozère communes (bundled INSEE-derived coordinates); the person lives in Mende.
MARVEJOLS = commune("48092", "Marvejols", "44.55495", "3.28783")
LA_CANOURGUE = commune("48034", "La Canourgue", "44.42527", "3.25835")
FLORAC = commune("48061", "Florac Trois Rivières", "44.31890", "3.62681")
LANGOGNE = commune("48080", "Langogne", "44.72112", "3.83182")
SAINT_CHELY = commune("48140", "Saint-Chély-d'Apcher", "44.81439", "3.27833")


def flat(text: str) -> str:
    """Text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(text.split())


class Printed:
    """A prescribed checkbook, through the real domain, and its rendered PDF."""

    def __init__(self, programme, make_actor, *, first_name="Jeanne", places=()):
        generate_passes(programme, 10, today=TODAY)
        self.beneficiary = BeneficiaryFactory(
            programme=programme, first_name=first_name, last_name="Durandal"
        )
        referral = ReferralFactory(beneficiary=self.beneficiary, needs=["outils_quotidien"])
        self.actor = make_actor(OrganisationKind.DEPARTMENT)
        self.prescription = prescribe(self.actor, referral, today=TODAY)
        self.places = [
            ProviderPlaceFactory(organisation__programme=programme, **p) for p in places
        ]

    @property
    def checkbook(self):
        return checkbook_for(self.actor, self.prescription.checkbook.pk)

    def render(self):
        self.document = checkbook_document(self.checkbook)
        self.pdf = render_checkbook_pdf(self.document)
        self.reader = PdfReader(io.BytesIO(self.pdf))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = flat("\n".join(self.pages))
        return self


def place(commune: dict, name: str, **fields) -> dict:
    return {"commune": CommuneFactory(**commune), "name": name, **fields}


@pytest.fixture
def printed(programme, make_actor):
    return Printed(
        programme,
        make_actor,
        places=[
            place(FLORAC, "Maison France Services de Florac", phone="04 66 45 00 00"),
            place({}, "Médiathèque de Mende", address="1 place du Foirail"),
            place(MARVEJOLS, "Tiers-lieu de Marvejols"),
        ],
    ).render()


def qr_payloads(reader: PdfReader) -> list[str]:
    """What every image of the PDF decodes to; each image must hold exactly one QR code."""
    payloads = []
    for page in reader.pages:
        for image in page.images:
            found = zxingcpp.read_barcodes(image.image)
            assert len(found) == 1, image.name
            assert found[0].format == zxingcpp.BarcodeFormat.QRCode
            payloads.append(found[0].text)
    return payloads


def test_the_pdf_is_an_a4_french_document_titled_after_the_checkbook(printed):
    reader = printed.reader
    number = printed.document.checkbook.number
    assert len(printed.document.passes) == 5
    assert len(reader.pages) == 3  # the cover, then 3 + 2 passes
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842
    assert reader.metadata.title == f"Chéquier Pass numérique n° {number}"
    assert reader.metadata.author == printed.document.programme_name
    assert "valable jusqu'au " + END in reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_the_cover_names_the_person_by_first_name_only(printed):
    cover = flat(printed.pages[0])
    assert "Pass numérique" in cover
    assert printed.document.programme_name in cover
    assert f"Chéquier n° {printed.document.checkbook.number}" in cover
    assert "Jeanne" in cover
    assert "Durandal" not in printed.text
    assert "17/05/1980" not in printed.text  # the factory's birth date
    assert f"Valable jusqu'au {END}" in cover
    assert "5 pass = 5 heures de formation" in cover
    assert "valeur totale de 50,00 €" in cover
    assert "Comment utiliser vos pass" in cover
    assert "Gardez vos codes secrets" in cover
    assert "Ne perdez pas vos pass" in cover
    assert f"Les pass non utilisés ne sont plus valables après le {END}" in cover
    assert "Maîtrise des outils numériques du quotidien" in cover  # the need


def test_the_cover_lists_the_nearest_places_nearest_first(programme, make_actor):
    printed = Printed(
        programme,
        make_actor,
        places=[
            place(SAINT_CHELY, "Mission Locale de Saint-Chély"),  # 6th nearest: left out
            place(LANGOGNE, "Num'n'coop Langogne"),
            place(FLORAC, "Maison France Services de Florac", phone="04 66 45 00 00"),
            place({}, "Médiathèque de Mende", address="1 place du Foirail"),
            place(LA_CANOURGUE, "Espace numérique de La Canourgue"),
            place(MARVEJOLS, "Tiers-lieu de Marvejols", services=["outils_quotidien"]),
        ],
    ).render()
    cover = flat(printed.pages[0])
    expected = [
        ("Médiathèque de Mende", "0,0 km"),
        ("Tiers-lieu de Marvejols", "17,4 km"),
        ("Espace numérique de La Canourgue", "21,9 km"),
        ("Maison France Services de Florac", "24,3 km"),
        ("Num'n'coop Langogne", "34,6 km"),
    ]
    for name, distance in expected:
        assert name in cover
        assert distance in cover
    names_at = [cover.index(name) for name, _ in expected]
    distances_at = [cover.index(distance) for _, distance in expected]
    assert names_at == sorted(names_at)
    assert distances_at == sorted(distances_at)
    assert "Saint-Chély" not in cover
    assert "1 place du Foirail, Mende" in cover
    assert "04 66 45 00 00" in cover
    assert "Aide aux démarches administratives" in cover  # the factory's services
    # Five places and the instructions still hold on the cover: the passes start on page 2.
    assert len(printed.reader.pages) == 3
    assert all(p.serial not in cover for p in printed.document.passes)


def test_without_places_the_cover_says_where_to_find_them(programme, make_actor):
    printed = Printed(programme, make_actor).render()
    cover = flat(printed.pages[0])
    assert (
        "Retrouvez les lieux habilités sur le site du Pass numérique, "
        "rubrique « Où utiliser mes pass »." in cover
    )
    assert "/ou-utiliser-mes-pass/" in cover
    assert "Distance" not in cover


def test_every_pass_shows_its_serial_code_value_and_end_date(printed):
    passes = printed.document.passes
    pass_pages = [flat(text) for text in printed.pages[1:]]
    # Three passes to a page, in serial order.
    assert [[p.serial for p in passes if p.serial in page] for page in pass_pages] == [
        [p.serial for p in passes[:3]],
        [p.serial for p in passes[3:]],
    ]
    for printed_pass in passes:
        assert printed_pass.code_display in printed.text
        assert printed_pass.code_display.count("-") == 2
    for page, count in zip(pass_pages, (3, 2), strict=True):
        assert page.count("10,00 €") >= count
        assert page.count(f"Valable jusqu'au {END}") == count
        assert page.count("PASS NUMÉRIQUE") == count


def test_each_qr_code_holds_exactly_a_normalised_code(printed):
    payloads = qr_payloads(printed.reader)
    assert len(payloads) == 5
    assert set(payloads) == {p.code for p in printed.document.passes}
    assert all("-" not in payload for payload in payloads)


def test_a_reprint_after_cancel_and_replace_shows_the_replacement_only(printed):
    lost = printed.document.passes[1]
    (replacement,) = cancel_and_replace(
        printed.actor, printed.checkbook, [lost.serial], "Perdu", today=TODAY
    )
    printed.render()
    passes = printed.document.passes
    replacement_pass = next(p for p in passes if p.serial == replacement.serial)
    assert len(passes) == 5
    assert lost.serial not in printed.text
    assert lost.code_display not in printed.text
    assert replacement.serial in printed.text
    assert replacement_pass.code_display in printed.text
    payloads = qr_payloads(printed.reader)
    assert set(payloads) == {p.code for p in passes}
    assert lost.code not in payloads
    assert replacement_pass.code in payloads


def test_markup_characters_in_data_are_printed_as_typed(programme, make_actor):
    programme.name = "Pass <Lozère> & Cie"
    programme.save()
    printed = Printed(
        programme,
        make_actor,
        first_name="Zoé <b>& Cie",
        places=[place(MARVEJOLS, "Num <i>& co</i>", address="2 rue <Basse> & Haute")],
    ).render()
    cover = flat(printed.pages[0])
    assert "Zoé <b>& Cie" in cover
    assert "Num <i>& co</i>" in cover
    assert "2 rue <Basse> & Haute" in cover
    assert "Pass <Lozère> & Cie" in cover
    assert "Pass <Lozère> & Cie" in flat(printed.pages[1])  # on each pass too
    assert printed.reader.metadata.author == "Pass <Lozère> & Cie"


def test_letters_the_standard_fonts_lack_are_folded_not_lost(programme, make_actor):
    printed = Printed(programme, make_actor, first_name="Ngọc Ánh").render()
    assert "Ngoc Ánh" in flat(printed.pages[0])


def test_the_same_checkbook_renders_to_the_same_bytes(printed):
    again = render_checkbook_pdf(checkbook_document(printed.checkbook))
    assert again == printed.pdf


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (1000, "10,00\u00a0€"),
        (5, "0,05\u00a0€"),
        (5000, "50,00\u00a0€"),
        (3_600_000, "36\u00a0000,00\u00a0€"),
    ],
)
def test_amounts_are_written_the_french_way(cents, text):
    assert format_euros(cents) == text
    format_euros(cents).encode("cp1252")  # printable with the standard PDF fonts


def test_distances_and_hours_are_written_the_french_way():
    assert format_distance(3.2149) == "3,2\u00a0km"
    assert format_distance(0) == "0,0\u00a0km"
    assert hours_text(5) == "5 pass = 5 heures de formation"
    assert hours_text(1) == "1 pass = 1 heure de formation"
