"""Statements: build them from the redemptions, validate them, record their payment.

Each change is one transaction, locks the rows it reads to decide, and is journaled.
"""

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from passnum.common.exceptions import InvalidInput
from passnum.journal.enums import Action
from passnum.journal.services import record
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import Capability, ensure_can
from passnum.passes import transitions
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.programmes.services import lock_programme
from passnum.providers.models import BankDetails
from passnum.redemptions.models import Redemption

from .exceptions import (
    AlreadyExported,
    EmptyStatement,
    NoBankDetails,
    NotDraft,
    NotValidated,
    PeriodInFuture,
)
from .models import Statement, StatementStatus
from .periods import last_day_of, parse_period, statement_number
from .sepa import sepa_credit_transfer

REFERENCE_MAX = 140


def _statement_passes(statement):
    return Pass.objects.filter(
        redemptions__statement=statement, redemptions__undone_at__isnull=True
    )


def _figures(statement) -> dict:
    totals = _statement_passes(statement).aggregate(n=Count("pk"), cents=Sum("value_cents"))
    return {"passes_count": totals["n"] or 0, "amount_cents": totals["cents"] or 0}


def generate_statements(actor, period, *, today=None) -> list[Statement]:
    """One draft statement per provider over its live redemptions not yet in a statement whose
    session took place on or before the end of ``period`` (« AAAA-MM »).

    An existing draft of that month is completed. When the month's statement of a provider is
    already validated or paid, its later redemptions wait for the next month's statement.
    Returns the statements created or completed (possibly none).
    """
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    today = today or timezone.localdate()
    month = parse_period(period)
    if month > today:
        raise PeriodInFuture(
            f"Le mois {month:%m/%Y} n'a pas encore commencé : aucun relevé ne peut être établi.",
            field="period",
        )
    changed = []
    with transaction.atomic():
        # Two generations run one after the other: a redemption is never attached twice.
        programme = lock_programme(actor.programme)
        pending = (
            Redemption.objects.select_for_update(of=("self",))
            .filter(
                programme=programme,
                statement__isnull=True,
                undone_at__isnull=True,
                session__undone_at__isnull=True,
                session__date__lte=last_day_of(month),
                session__organisation__kind=OrganisationKind.PROVIDER,
            )
            .order_by("pk")
            .values_list("pk", "session__organisation_id")
        )
        by_provider: dict[int, list[int]] = {}
        for pk, organisation_id in pending:
            by_provider.setdefault(organisation_id, []).append(pk)
        existing = {
            s.organisation_id: s
            for s in Statement.objects.select_for_update().filter(
                programme=programme, period=month, organisation_id__in=by_provider
            )
        }
        for organisation_id, redemption_ids in sorted(by_provider.items()):
            statement = existing.get(organisation_id)
            created = statement is None
            if created:
                statement = Statement.objects.create(
                    programme=programme, organisation_id=organisation_id, period=month
                )
            elif statement.status != StatementStatus.DRAFT:
                continue  # closed month: these redemptions go into the next statement
            Redemption.objects.filter(pk__in=redemption_ids).update(statement=statement)
            record(
                actor,
                statement,
                Action.CREATED if created else Action.COMPLETED,
                after=StatementStatus.DRAFT,
                data={"period": f"{month:%Y-%m}", "added_redemptions": len(redemption_ids)},
            )
            changed.append(statement)
    return changed


def _lock(statement) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement.pk)


def validate_statement(actor, statement, *, now=None) -> Statement:
    """draft → validated: not empty, and the provider can be paid (bank details)."""
    ensure_can(actor, Capability.MANAGE_STATEMENTS, programme=statement.programme)
    with transaction.atomic():
        statement = _lock(statement)
        if statement.status != StatementStatus.DRAFT:
            raise NotDraft(
                f"Ce relevé est déjà « {statement.get_status_display().lower()} » : "
                "seul un brouillon peut être validé."
            )
        figures = _figures(statement)
        if not figures["passes_count"]:
            raise EmptyStatement()
        bank = (
            BankDetails.objects.select_for_update()
            .filter(organisation_id=statement.organisation_id)
            .first()
        )
        if bank is None:
            raise NoBankDetails()
        statement.status = StatementStatus.VALIDATED
        statement.validated_at = now or timezone.now()
        statement.validated_by = actor.user
        statement.payee_name = bank.account_holder
        statement.payee_iban = bank.iban
        statement.payee_bic = bank.bic
        statement.save(
            update_fields=[
                "status",
                "validated_at",
                "validated_by",
                "payee_name",
                "payee_iban",
                "payee_bic",
            ]
        )
        record(
            actor,
            statement,
            Action.VALIDATED,
            before=StatementStatus.DRAFT,
            after=StatementStatus.VALIDATED,
            data={**figures, "payee": f"{bank.account_holder} — …{bank.iban[-4:]}"},
        )
    return statement


def _check_payment(statement, paid_on, reference, today) -> str:
    if paid_on is None:
        raise InvalidInput(
            "Indiquez la date du paiement.", code="paid_on_required", field="paid_on"
        )
    if paid_on > today:
        raise InvalidInput(
            "La date du paiement ne peut pas être dans le futur.",
            code="paid_on_in_future",
            field="paid_on",
        )
    validated_on = timezone.localdate(statement.validated_at)
    if paid_on < validated_on:
        raise InvalidInput(
            f"La date du paiement ne peut pas précéder la validation du relevé "
            f"({validated_on:%d/%m/%Y}).",
            code="paid_before_validation",
            field="paid_on",
        )
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            "Indiquez la référence du paiement (par exemple celle du virement).",
            code="reference_required",
            field="reference",
        )
    if len(reference) > REFERENCE_MAX:
        raise InvalidInput(
            f"La référence du paiement dépasse {REFERENCE_MAX} caractères.",
            code="invalid_input",
            field="reference",
        )
    return reference


def pay_statement(actor, statement, paid_on, reference, *, today=None) -> Statement:
    """validated → paid, with the payment's date and reference; its passes become reimbursed."""
    ensure_can(actor, Capability.MANAGE_STATEMENTS, programme=statement.programme)
    today = today or timezone.localdate()
    with transaction.atomic():
        statement = _lock(statement)
        if statement.status != StatementStatus.VALIDATED:
            state = statement.get_status_display().lower()
            raise NotValidated(
                f"Ce relevé est « {state} » : seul un relevé validé et non encore payé peut "
                "être payé."
            )
        reference = _check_payment(statement, paid_on, reference, today)
        passes = list(_statement_passes(statement).select_for_update().order_by("pk"))
        redeemed = [p for p in passes if p.status == PassStatus.REDEEMED]
        transitions.move_passes(
            actor, redeemed, transitions.REIMBURSE, data={"statement": statement.pk}
        )
        statement.status = StatementStatus.PAID
        statement.paid_on = paid_on
        statement.payment_reference = reference
        statement.paid_by = actor.user
        statement.save(update_fields=["status", "paid_on", "payment_reference", "paid_by"])
        record(
            actor,
            statement,
            Action.PAID,
            before=StatementStatus.VALIDATED,
            after=StatementStatus.PAID,
            data={
                "paid_on": paid_on.isoformat(),
                "reference": reference,
                "passes_count": len(passes),
                "amount_cents": sum(p.value_cents for p in passes),
            },
        )
    return statement


def export_sepa(actor, statements, execution_date, *, reexport_reason: str = "") -> bytes:
    """The SEPA credit-transfer file of validated statements, recorded on each of them.

    A statement already exported is refused (the treasurer would pay it twice) unless the
    operator gives the reason for exporting it again; each export is journaled.
    """
    ensure_can(actor, Capability.MANAGE_STATEMENTS, programme=actor.programme)
    reexport_reason = (reexport_reason or "").strip()
    with transaction.atomic():
        locked = list(
            Statement.objects.select_for_update()
            .filter(pk__in=[s.pk for s in statements], programme=actor.programme)
            .order_by("pk")
        )
        already = [s for s in locked if s.exported_at is not None]
        if already and not reexport_reason:
            raise AlreadyExported(
                "Virement déjà produit pour "
                + ", ".join(
                    f"le relevé {statement_number(s)} "
                    f"(le {timezone.localtime(s.exported_at):%d/%m/%Y})"
                    for s in already
                )
                + " : indiquez pourquoi le produire à nouveau, ou retirez-les de la sélection.",
                field="reexport_reason",
            )
        content = sepa_credit_transfer(actor.programme, locked, execution_date)
        now = timezone.now()
        Statement.objects.filter(pk__in=[s.pk for s in locked]).update(exported_at=now)
        for statement in locked:
            record(
                actor,
                statement,
                Action.SEPA_EXPORTED,
                reason=reexport_reason,
                data={
                    "execution_date": execution_date.isoformat(),
                    "again": statement.exported_at is not None,
                },
            )
    return content
