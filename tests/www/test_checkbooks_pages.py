"""The checkbook pages of the Département: the accessible HTML checkbook, the PDF, lost passes."""

import html
import io
import re
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import keys
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.providers.selectors import distance_km
from passnum.referrals.services import prescribe
from passnum.territories.models import Commune
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProviderPlaceFactory,
    ReferralFactory,
)

DEPARTMENT = OrganisationKind.DEPARTMENT


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def field_error(response, name: str) -> str:
    found = re.search(
        rf'<div[^>]*id="id_{name}-desc-error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip() if found else ""


def codes_of(checkbook) -> dict[str, str]:
    """serial → code as printed (« XXXX-XXXX-XXXX ») of the passes still usable."""
    return {
        p.serial: "-".join(re.findall(".{1,4}", keys.decrypt(p.code_encrypted)))
        for p in checkbook.passes.filter(status=PassStatus.ASSIGNED)
    }


@pytest.fixture
def department(make_actor):
    return make_actor(DEPARTMENT)


@pytest.fixture
def checkbook(department, programme, communes):
    generate_passes(programme, 20)
    referral = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__first_name="Jeanne",
        beneficiary__last_name="Confidentiel",
        needs=["parentalite"],
    )
    return prescribe(department, referral).checkbook


def printings(checkbook, document_format):
    return JournalEntry.objects.about(checkbook).filter(
        action="printed", data={"format": document_format}
    )


# Who may see a checkbook


@pytest.mark.parametrize("kind", list(OrganisationKind))
@pytest.mark.parametrize("url_name", ["www:checkbook", "www:checkbook_pdf"])
def test_only_the_department_sees_checkbooks(make_actor, checkbook, kind, url_name):
    response = logged_in(make_actor(kind)).get(reverse(url_name, args=[checkbook.pk]))
    if kind == DEPARTMENT:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Seul le Département peut imprimer un chéquier." in text(response)
        assert not any(code in text(response) for code in codes_of(checkbook).values())
        assert not JournalEntry.objects.about(checkbook).filter(action="printed").exists()


@pytest.mark.parametrize("url_name", ["www:checkbook", "www:checkbook_pdf"])
def test_another_programmes_checkbook_is_not_found(checkbook, url_name):
    elsewhere = OrganisationFactory(programme=ProgrammeFactory(), department=True)
    client = Client()
    client.force_login(MembershipFactory(organisation=elsewhere).user)
    assert client.get(reverse(url_name, args=[checkbook.pk])).status_code == 404
    assert not JournalEntry.objects.about(checkbook).filter(action="printed").exists()


# The HTML checkbook


def test_checkbook_page_shows_what_the_paper_shows(department, checkbook, programme):
    marvejols = Commune.objects.get(insee_code="48092")
    florac = Commune.objects.get(insee_code="48061")
    near = ProviderPlaceFactory(
        organisation__programme=programme,
        organisation__name="France Services Marvejols",
        name="France Services Marvejols",
        commune=marvejols,
        services=["parentalite", "securite"],
    )
    ProviderPlaceFactory(
        organisation__programme=programme,
        name="Tiers-lieu de Florac",
        commune=florac,
        services=["securite"],  # not what the person needs
    )
    response = logged_in(department).get(reverse("www:checkbook", args=[checkbook.pk]))
    body = text(response)
    assert f"<h1>Chéquier n° {checkbook.number}</h1>" in body
    assert "Bonjour Jeanne" in body
    assert f"valables jusqu'au <strong>{checkbook.expires_on:%d/%m/%Y}</strong>" in body
    assert "remettez un pass par heure d'accompagnement" in body
    assert "Confidentiel" not in body  # the paper carries the first name only
    # The nearest accredited place offering the need, with its distance in French.
    mende = checkbook.beneficiary.commune
    km = distance_km(mende.latitude, mende.longitude, near.latitude, near.longitude)
    assert f"{km:.1f}".replace(".", ",") + "\u00a0km" in body
    # a place named as its organisation is named once
    assert "<strong>France Services Marvejols</strong> — " in body
    assert "Parentalité et éducation avec le numérique" in body
    assert "Tiers-lieu de Florac" not in body
    # Every pass: serial, code in a monospace element, value, end date, QR code.
    for serial, code in codes_of(checkbook).items():
        assert f"Pass n° {serial}" in body
        assert f'<code class="passnum-code">{code}</code>' in body
        assert f'role="img" aria-label="QR code du pass n° {serial}, code {code}"' in body
    assert body.count("<svg") == 5
    assert body.count("10\u00a0€, une heure d'accompagnement") == 5
    # Showing the codes is journalled, and never cached.
    assert printings(checkbook, "html").count() == 1
    assert "no-store" in response.headers["Cache-Control"]


def qr_image(svg: str) -> Image.Image:
    """Draw segno's SVG path (« M x y », « m dx dy », « h n ») on a white image."""
    width = int(re.search(r'width="([0-9]+)"', svg).group(1))
    scale = int(re.search(r"scale\(([0-9]+)\)", svg).group(1))
    size = width // scale
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    for command, values in re.findall(r"([MmHh])([-0-9. ]+)", re.search(r' d="([^"]+)"', svg)[1]):
        numbers = [float(v) for v in values.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for column in range(int(x), int(x + numbers[0])):
                image.putpixel((column, int(y)), 0)
            x += numbers[0]
    return image.resize((size * 8, size * 8), Image.NEAREST)


def test_qr_codes_read_as_the_pass_codes(department, checkbook):
    body = logged_in(department).get(reverse("www:checkbook", args=[checkbook.pk]))
    svgs = re.findall(r"<svg.*?</svg>", body.content.decode(), re.S)
    decoded = []
    for svg in svgs:
        results = zxingcpp.read_barcodes(qr_image(svg))
        assert len(results) == 1
        # A full QR code: phones' camera apps do not read micro QR codes.
        assert results[0].format == zxingcpp.BarcodeFormat.QRCode
        decoded.append(results[0].text)
    codes = {code.replace("-", "") for code in codes_of(checkbook).values()}
    assert sorted(decoded) == sorted(codes)


def test_checkbook_page_lists_every_pass_with_its_status(department, checkbook):
    redeemed = checkbook.passes.order_by("serial").first()
    Pass.objects.filter(pk=redeemed.pk).update(status=PassStatus.REDEEMED)
    body = text(logged_in(department).get(reverse("www:checkbook", args=[checkbook.pk])))
    assert f"Pass n° {redeemed.serial}" not in body  # a used pass is not printed again
    assert body.count("<svg") == 4
    table = body.split("État des pass du chéquier")[1]
    assert f"<td>{redeemed.serial}</td>\n          <td>Encaissé</td>" in table
    assert table.count("<td>Attribué</td>") == 4
    # Only the unused passes can be declared lost.
    form = body.split('id="pass-perdus"')[1]
    assert f'value="{redeemed.serial}"' not in form
    assert form.count('type="checkbox" name="serials"') == 4


def test_print_stylesheet_hides_the_site_around_the_checkbook():
    css = Path(finders.find("passnum/passnum.css")).read_text()
    print_rules = css.split("@media print")[1]
    for selector in (".fr-header", ".fr-nav", ".fr-footer", ".passnum-no-print"):
        assert selector in print_rules.split("display: none")[0]


# Lost or stolen passes


def test_department_replaces_lost_passes(department, checkbook):
    lost = sorted(codes_of(checkbook))[:2]
    client = logged_in(department)
    response = client.post(
        reverse("www:checkbook_replace", args=[checkbook.pk]),
        {"serials": lost, "reason": "Chéquier perdu dans le bus."},
    )
    assert response.status_code == 302
    assert response.url == reverse("www:checkbook", args=[checkbook.pk])
    cancelled = Pass.objects.filter(serial__in=lost)
    assert {p.status for p in cancelled} == {PassStatus.CANCELLED}
    replacements = list(Pass.objects.filter(replaces__in=cancelled).order_by("serial"))
    assert len(replacements) == 2
    assert {p.status for p in replacements} == {PassStatus.ASSIGNED}
    assert {p.checkbook_id for p in replacements} == {checkbook.pk}
    page = text(client.get(response.url))
    pairs = " ; ".join(f"{p.replaces.serial} par {p.serial}" for p in replacements)
    assert f"Pass annulés et remplacés (2) : {pairs}." in page
    for new in replacements:
        assert f"Remplace le pass {new.replaces.serial}" in page
        assert f"Pass n° {new.serial}" in page  # printed with the usable passes
    for serial in lost:
        assert f"Pass n° {serial}" not in page
    assert page.count("<td>Annulé</td>") == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": ""}, "reason", "Indiquez le motif de l'annulation (perte, vol…)."),
        ({"serials": None}, "serials", "Choisissez au moins un pass à annuler."),
        (
            {"serials": ["redeemed"]},
            "serials",
            "Ce pass n'est pas un pass inutilisé du chéquier.",
        ),
        (
            {"serials": ["48-1999-000001"]},
            "serials",
            "Ce pass n'est pas un pass inutilisé du chéquier.",
        ),
    ],
)
def test_lost_passes_errors_change_nothing(department, checkbook, data, field, message):
    serials = sorted(codes_of(checkbook))
    redeemed = serials[-1]
    Pass.objects.filter(serial=redeemed).update(status=PassStatus.REDEEMED)
    posted = {"serials": [serials[0]], "reason": "Perdu.", **data}
    if posted["serials"] == ["redeemed"]:
        posted["serials"] = [redeemed]
    posted = {k: v for k, v in posted.items() if v is not None}
    before = list(Pass.objects.order_by("pk").values_list("pk", "status"))
    response = logged_in(department).post(
        reverse("www:checkbook_replace", args=[checkbook.pk]), posted
    )
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert list(Pass.objects.order_by("pk").values_list("pk", "status")) == before


@pytest.mark.parametrize("kind", [k for k in OrganisationKind if k != DEPARTMENT])
def test_only_the_department_replaces_passes(make_actor, checkbook, kind):
    serial = sorted(codes_of(checkbook))[0]
    response = logged_in(make_actor(kind)).post(
        reverse("www:checkbook_replace", args=[checkbook.pk]),
        {"serials": [serial], "reason": "Perdu."},
    )
    assert response.status_code == 403
    assert Pass.objects.get(serial=serial).status == PassStatus.ASSIGNED


# The PDF


def test_pdf_is_downloaded_and_journalled(department, checkbook):
    from pypdf import PdfReader

    response = logged_in(department).get(reverse("www:checkbook_pdf", args=[checkbook.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cheque-pass-numerique-{checkbook.number}.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert pages
    assert any(serial in page.extract_text() for page in pages for serial in codes_of(checkbook))
    assert printings(checkbook, "pdf").count() == 1
    assert printings(checkbook, "html").count() == 0
