"""Reading statements: who sees which, their lines, and their reconciliation with the ledger."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from passnum.common.exceptions import InvalidInput, NotFound
from passnum.journal.models import Action, JournalEntry, SubjectType
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.passes.selectors import ledger_of
from passnum.redemptions.models import Redemption
from passnum.referential.enums import Service

from .models import Statement, StatementStatus
from .periods import parse_period


def with_totals(statements):
    """Each statement with ``passes_count`` and ``amount_cents``, read from its redemptions."""
    live = Q(redemptions__undone_at__isnull=True)
    return statements.annotate(
        passes_count=Count("redemptions", filter=live),
        amount_cents=Coalesce(Sum("redemptions__pass_obj__value_cents", filter=live), 0),
    )


def statements_visible_to(actor, *, status: str | None = None, period: str | None = None):
    """A provider sees its own statements, the operator all those of the programme (one query,
    with their totals); other roles are refused."""
    ensure_can(actor, Capability.VIEW_OWN_STATEMENTS)
    statements = Statement.objects.filter(programme=actor.programme)
    if not can(actor, Capability.VIEW_ALL_STATEMENTS):
        statements = statements.filter(organisation=actor.organisation)
    if status:
        if status not in StatementStatus.values:
            raise InvalidInput(
                f"Statut inconnu : « {status} » (attendu : {', '.join(StatementStatus.values)}).",
                code="invalid_input",
                field="status",
            )
        statements = statements.filter(status=status)
    if period:
        statements = statements.filter(period=parse_period(period))
    return with_totals(statements.select_related("organisation")).order_by(
        "-period", "organisation__name", "pk"
    )


def statement_for(actor, statement_id) -> Statement:
    """One statement the actor may see, or ``NotFound``."""
    try:
        return (
            statements_visible_to(actor)
            .select_related("validated_by", "paid_by")
            .get(pk=statement_id)
        )
    except (Statement.DoesNotExist, ValueError, TypeError):
        raise NotFound("Relevé introuvable.") from None


@dataclass(frozen=True)
class StatementLine:
    """One redeemed pass of a statement: nothing about the person."""

    serial: str
    session_date: datetime.date
    duration_minutes: int
    services: str
    value_cents: int


def _services(session) -> str:
    labels = []
    for code in session.services or []:
        try:
            labels.append(Service(code).label)
        except ValueError:
            labels.append(str(code))
    if session.path is not None:
        labels.insert(0, f"Parcours « {session.path.name} »")
    return ", ".join(labels)


def statement_lines(statement) -> list[StatementLine]:
    redemptions = (
        Redemption.objects.filter(statement=statement, undone_at__isnull=True)
        .select_related("pass_obj", "session__path")
        .order_by("session__date", "pass_obj__serial")
    )
    return [
        StatementLine(
            serial=r.pass_obj.serial,
            session_date=r.session.date,
            duration_minutes=r.session.duration_minutes,
            services=_services(r.session),
            value_cents=r.pass_obj.value_cents,
        )
        for r in redemptions
    ]


@dataclass(frozen=True)
class Reconciliation:
    """Paid statements against the ledger and the journal."""

    paid_cents: int
    reimbursed_cents: int
    discrepancies: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.discrepancies


def reconcile(programme) -> Reconciliation:
    """The total of the paid statements equals the value of the reimbursed passes; each
    reimbursed pass has exactly one « reimbursed » journal entry and is in a paid statement."""
    paid = Statement.objects.filter(programme=programme, status=StatementStatus.PAID)
    paid_cents = (
        Pass.objects.filter(
            redemptions__statement__in=paid, redemptions__undone_at__isnull=True
        ).aggregate(total=Sum("value_cents"))["total"]
        or 0
    )
    reimbursed_cents = ledger_of(programme).value(PassStatus.REIMBURSED)
    discrepancies = []
    if paid_cents != reimbursed_cents:
        discrepancies.append(
            f"Relevés payés : {paid_cents} centimes ; pass remboursés : {reimbursed_cents} "
            "centimes."
        )
    reimbursed = dict(
        Pass.objects.filter(programme=programme, status=PassStatus.REIMBURSED).values_list(
            "pk", "serial"
        )
    )
    entries = dict(
        JournalEntry.objects.filter(
            programme=programme, subject_type=SubjectType.PASS, action=Action.REIMBURSED
        )
        .order_by()
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )
    for pk, serial in sorted(reimbursed.items(), key=lambda item: item[1]):
        if entries.get(pk, 0) != 1:
            discrepancies.append(
                f"Pass {serial} : {entries.get(pk, 0)} entrée(s) « remboursé » au journal."
            )
    for pk in sorted(set(entries) - set(reimbursed)):
        discrepancies.append(f"Pass n° {pk} : remboursé au journal mais pas dans le registre.")
    in_paid = set(
        Redemption.objects.filter(statement__in=paid, undone_at__isnull=True).values_list(
            "pass_obj_id", flat=True
        )
    )
    for pk in sorted(set(reimbursed) - in_paid):
        discrepancies.append(f"Pass {reimbursed[pk]} : remboursé hors d'un relevé payé.")
    return Reconciliation(paid_cents, reimbursed_cents, discrepancies)
