"""A statement's CSV and PDF read back, and the SEPA credit-transfer file parsed."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from pypdf import PdfReader

from passnum.common.exceptions import Conflict, InvalidInput
from passnum.organisations.enums import OrganisationKind
from passnum.providers.models import BankDetails
from passnum.statements.documents import masked_iban, statement_csv, statement_pdf
from passnum.statements.periods import month_label
from passnum.statements.selectors import statement_for
from passnum.statements.sepa import sepa_credit_transfer
from passnum.statements.services import generate_statements, pay_statement, validate_statement

from .factories import (
    PAYER_BIC,
    PAYER_IBAN,
    PROVIDER_IBAN,
    BankDetailsFactory,
    accredited_provider,
    assigned_passes,
    redeem_directly,
)

Kind = OrganisationKind
TODAY = timezone.localdate()
PERIOD = f"{TODAY:%Y-%m}"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
OTHER_IBAN = "DE89370400440532013000"


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


@pytest.fixture
def statements(programme, make_actor, operator):
    """Two providers' statements of this month: 5 passes (two sessions) and 3 passes."""
    department = make_actor(Kind.DEPARTMENT)
    first = accredited_provider(programme, name="Atelier <Mende> & Cie")
    first.siret = "73282932000074"
    first.save()
    second = accredited_provider(programme, name="Bus numérique", bank=False)
    BankDetailsFactory(organisation=second, iban=OTHER_IBAN, bic="COBADEFFXXX")
    passes = assigned_passes(programme, department)
    redeem_directly(passes[:2], first, on=TODAY.replace(day=1), duration_minutes=120)
    redeem_directly(passes[2:], first, on=TODAY, duration_minutes=180)
    redeem_directly(assigned_passes(programme, department)[:3], second)
    made = generate_statements(operator, PERIOD)
    return [statement_for(operator, s.pk) for s in made]


def test_csv_has_a_header_one_line_per_pass_and_the_total(statements):
    statement = statements[0]
    rows = list(csv.reader(io.StringIO(statement_csv(statement)), delimiter=";"))
    assert rows[0] == [
        "Numéro de série",
        "Date de la séance",
        "Durée (min)",
        "Services",
        "Montant (€)",
    ]
    serials = sorted(statement.redemptions.values_list("pass_obj__serial", flat=True))
    body = rows[1:-1]
    assert [r[0] for r in body] == serials
    assert {r[4] for r in body} == {"10,00"}
    assert [r[2] for r in body] == ["120", "120", "180", "180", "180"]
    assert body[0][1] == f"{TODAY.replace(day=1):%d/%m/%Y}"
    assert body[0][3] == "Maîtrise des outils numériques du quotidien"
    assert rows[-1] == ["Total (5 pass)", "", "", "", "50,00"]


def test_pdf_states_the_statement_in_french(operator, statements):
    statement = validate_statement(operator, statements[0])
    pay_statement(operator, statement, TODAY, "VIR-2026-42")
    statement = statement_for(operator, statement.pk)
    reader = PdfReader(io.BytesIO(statement_pdf(statement)))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.1)  # A4
    for expected in (
        statement.programme.name,
        "Atelier <Mende> & Cie",
        "73282932000074",
        month_label(statement.period),
        f"{statement.period:%Y%m}-{statement.pk}",
        "Payé",
        f"validé le {TODAY:%d/%m/%Y}",
        f"payé le {TODAY:%d/%m/%Y} (référence VIR-2026-42)",
        "Total : 5 pass",
        "50,00",
        PROVIDER_IBAN[-4:],
    ):
        assert expected in flat, expected
    assert PROVIDER_IBAN not in flat.replace(" ", "")
    for serial in statement.redemptions.values_list("pass_obj__serial", flat=True):
        assert serial in flat


def test_masked_iban_keeps_the_last_four():
    assert masked_iban("FR76 3000 6000 0112 3456 7890 189") == (
        "*** **** **** **** **** **** 0189"
    )


@pytest.fixture
def payer(programme):
    programme.payer_name = "Département de la Lozère"
    programme.payer_iban = PAYER_IBAN
    programme.payer_bic = PAYER_BIC
    programme.save()
    return programme


def test_sepa_file_has_one_transfer_per_validated_statement(payer, operator, statements):
    for statement in statements:
        validate_statement(operator, statement)
    execution = TODAY + datetime.timedelta(days=2)

    root = ET.fromstring(sepa_credit_transfer(payer, statements, execution))

    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.find("p:NbOfTxs", NS).text == "2"
    assert header.find("p:CtrlSum", NS).text == "80.00"
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == PAYER_IBAN
    assert info.find("p:Dbtr/p:Nm", NS).text == "Departement de la Lozere"
    assert info.find("p:ReqdExctnDt", NS).text == execution.isoformat()
    transfers = [
        (
            t.find("p:PmtId/p:EndToEndId", NS).text,
            t.find("p:Amt/p:InstdAmt", NS).text,
            t.find("p:CdtrAcct/p:Id/p:IBAN", NS).text,
            t.find("p:RmtInf/p:Ustrd", NS).text,
        )
        for t in info.findall("p:CdtTrfTxInf", NS)
    ]
    first, second = statements
    assert transfers == [
        (
            f"PASSNUM-{first.pk}",
            "50.00",
            PROVIDER_IBAN,
            f"Pass numerique releve {TODAY:%m/%Y} no {first.pk}",
        ),
        (
            f"PASSNUM-{second.pk}",
            "30.00",
            OTHER_IBAN,
            f"Pass numerique releve {TODAY:%m/%Y} no {second.pk}",
        ),
    ]


def test_sepa_refuses_a_statement_not_validated(payer, operator, statements):
    validate_statement(operator, statements[0])
    with pytest.raises(Conflict) as error:
        sepa_credit_transfer(payer, statements, TODAY)
    assert error.value.code == "not_validated"
    assert f"n° {statements[1].pk}" in error.value.message


def test_sepa_refuses_a_paid_statement(payer, operator, statements):
    validate_statement(operator, statements[0])
    pay_statement(operator, statements[0], TODAY, "VIR-1")
    with pytest.raises(Conflict):
        sepa_credit_transfer(payer, statements[:1], TODAY)


@pytest.mark.parametrize("missing", ["payer_name", "payer_iban", "payer_bic"])
def test_sepa_needs_the_payer_account(payer, operator, statements, missing):
    validate_statement(operator, statements[0])
    setattr(payer, missing, "")
    with pytest.raises(InvalidInput) as error:
        sepa_credit_transfer(payer, statements[:1], TODAY)
    assert error.value.code == "payer_missing"
    assert "compte payeur" in error.value.message


def test_sepa_refuses_a_past_date_and_an_empty_batch(payer, operator, statements):
    validate_statement(operator, statements[0])
    with pytest.raises(InvalidInput) as error:
        sepa_credit_transfer(payer, statements[:1], TODAY - datetime.timedelta(days=1))
    assert error.value.code == "execution_date_in_past"
    with pytest.raises(InvalidInput) as error:
        sepa_credit_transfer(payer, [], TODAY)
    assert error.value.code == "no_statements"


def test_sepa_pays_the_account_copied_at_validation(payer, operator, statements):
    """Bank details changed after the operator approved the statement redirect no money."""
    validate_statement(operator, statements[1])
    approved = BankDetails.objects.get(organisation=statements[1].organisation)
    BankDetails.objects.filter(pk=approved.pk).update(
        account_holder="Pirate", iban="GB82WEST12345698765432", bic="NWBKGB2L"
    )
    statements[1].refresh_from_db()
    xml = sepa_credit_transfer(payer, statements[1:], TODAY).decode()
    assert approved.iban in xml
    assert "GB82WEST12345698765432" not in xml
    assert "Pirate" not in xml


def test_each_transfer_file_is_recorded_and_not_produced_twice_silently(
    payer, operator, statements
):
    from passnum.journal.models import JournalEntry
    from passnum.statements.exceptions import AlreadyExported
    from passnum.statements.services import export_sepa

    for statement in statements:
        validate_statement(operator, statement)
    first = export_sepa(operator, statements, TODAY)
    assert b"PASSNUM-" in first
    for statement in statements:
        statement.refresh_from_db()
        assert statement.exported_at is not None
        assert JournalEntry.objects.about(statement).filter(action="sepa_exported").count() == 1
    # A second file for the same statements would have them paid twice: refused…
    with pytest.raises(AlreadyExported) as refused:
        export_sepa(operator, statements, TODAY)
    assert refused.value.code == "already_exported"
    assert "indiquez pourquoi" in refused.value.message
    assert JournalEntry.objects.filter(action="sepa_exported").count() == len(statements)
    # …unless the operator says why (the first file was lost), which is journaled.
    export_sepa(operator, statements[:1], TODAY, reexport_reason="Fichier perdu par la paierie")
    again = JournalEntry.objects.about(statements[0]).filter(action="sepa_exported").last()
    assert again.reason == "Fichier perdu par la paierie"
    assert again.data["again"] is True
