"""The programme's exports: what each one holds, row by row.

One function per export (``referral_rows``, ``pass_rows``, ``session_rows``, ``statement_rows``)
yields the header, then one row per object, read with ``values_list`` over ``iterator()`` in a
constant number of queries whatever the number of rows (no query per row). The CSV and XLSX
writers (``writers.py``), the site, the API and the background task all read the same rows.

Cells are Python values: text, integers, ``datetime.date`` (a day in the site's time zone) and
``Decimal`` euros (two decimals); ``None`` is an empty cell. Each export reads only its
programme, and filters on one date (``filtered_on``, shown on the page and in the docs):

- ``referrals``: the day of the referral. No name, no birth date (an age band at the referral's
  day instead), no contact, no comment and no reason typed by anyone.
- ``passes``: the day the pass's checkbook was given (passes still in stock have none: they are
  exported only without a period). Never the secret code, its digest or its ciphertext.
- ``sessions``: the day of the session (sessions undone are left out). The first columns are
  those of La Coop de la médiation numérique's activity export (see docs/operations.md).
- ``statements``: the statement's month (a month that overlaps the period counts).
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, FilteredRelation, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from passnum.beneficiaries.models import age_on
from passnum.common.exceptions import InvalidInput
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.models import Pass
from passnum.redemptions.models import PlaceType, Session, SessionKind
from passnum.referential.enums import Service
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.models import Referral
from passnum.statements.models import Statement, StatementStatus
from passnum.statements.selectors import with_totals

from .enums import ExportFormat, ExportName
from .periods import EVERYTHING, Period

# Rows fetched per round trip (PostgreSQL: a server-side cursor; SQLite: fetchmany).
CHUNK_SIZE = 2000
# Several codes in one cell.
JOIN = " ; "

Row = tuple
Rows = Iterator[Row]


def _database(using: str | None) -> str:
    """The database the exports read: the reporting one (a replica when there is one, see
    ``selectors.reporting_database``) unless told otherwise."""
    return using or settings.PASSNUM_REPORTING_DATABASE


def euros(cents: int | None) -> Decimal | None:
    """1050 → Decimal('10.50')."""
    return None if cents is None else Decimal(cents).scaleb(-2)


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def joined(codes) -> str | None:
    """Several codes or labels in one cell; none: an empty cell."""
    return JOIN.join(str(code) for code in codes or []) or None


def age_band(birth_date: datetime.date, day: datetime.date) -> str:
    """The person's age band on ``day``: the publics' bounds (« jeune » 16 to 25, « senior »
    from 60)."""
    age = age_on(birth_date, day)
    if age < 16:
        return "moins de 16"
    if age <= 25:
        return "16-25"
    if age <= 59:
        return "26-59"
    return "60+"


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value)


# --- Orientations ---------------------------------------------------------------------------

REFERRAL_HEADER = (
    "N° d'orientation",
    "Orientée le",
    "Structure qui oriente",
    "Code INSEE de la commune",
    "Commune",
    "Tranche d'âge",
    "Publics prioritaires",
    "Besoins",
    "Rang",
    "Statut",
    "Décidée le",
    "N° de chéquier",
    "Pass utilisés",
)


def referrals_query(programme, period: Period = EVERYTHING, *, using=None):
    used = (
        Pass.objects.filter(checkbook=OuterRef("prescription__checkbook"), status__in=CONSUMED)
        .order_by()
        .values("checkbook")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Referral.objects.using(_database(using))
        .filter(programme=programme, **period.datetime_filter("created_at"))
        .annotate(passes_used=Coalesce(Subquery(used), 0))
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "created_at",
            "organisation__name",
            "beneficiary__commune__insee_code",
            "beneficiary__commune__name",
            "beneficiary__birth_date",
            "publics",
            "needs",
            "tier",
            "status",
            "decided_at",
            "prescription__checkbook__number",
            "passes_used",
        )
    )


def referral_rows(programme, period: Period = EVERYTHING, *, using=None) -> Rows:
    yield REFERRAL_HEADER
    query = referrals_query(programme, period, using=using)
    for (
        pk,
        created_at,
        organisation,
        insee,
        commune,
        birth_date,
        publics,
        needs,
        tier,
        status,
        decided_at,
        checkbook,
        used,
    ) in query.iterator(chunk_size=CHUNK_SIZE):
        day = local_day(created_at)
        yield (
            pk,
            day,
            organisation,
            insee,
            commune,
            age_band(birth_date, day),
            joined(publics),
            joined(needs),
            tier,
            _label(ReferralStatus, status),
            local_day(decided_at),
            checkbook,
            used if checkbook is not None else None,
        )


# --- Pass -----------------------------------------------------------------------------------

PASS_HEADER = (
    "Numéro de série",
    "Statut",
    "Valeur (€)",
    "N° de chéquier",
    "Remis le",
    "Valable jusqu'au",
    "Encaissé le",
    "Date de la séance",
    "Structure qui l'a encaissé",
    "Mois du relevé",
)


def passes_query(programme, period: Period = EVERYTHING, *, using=None):
    # A pass has at most one live redemption (a unique constraint): one row per pass.
    return (
        Pass.objects.using(_database(using))
        .filter(programme=programme, **period.date_filter("checkbook__issued_on"))
        .annotate(
            live=FilteredRelation("redemptions", condition=Q(redemptions__undone_at__isnull=True))
        )
        .order_by("serial")
        .values_list(
            "serial",
            "status",
            "value_cents",
            "checkbook__number",
            "checkbook__issued_on",
            "expires_on",
            "stock_expires_on",
            "live__redeemed_at",
            "live__session__date",
            "live__session__organisation__name",
            "live__statement__period",
        )
    )


def pass_rows(programme, period: Period = EVERYTHING, *, using=None) -> Rows:
    yield PASS_HEADER
    query = passes_query(programme, period, using=using)
    for (
        serial,
        status,
        value_cents,
        checkbook,
        issued_on,
        expires_on,
        stock_expires_on,
        redeemed_at,
        session_date,
        provider,
        statement_period,
    ) in query.iterator(chunk_size=CHUNK_SIZE):
        yield (
            serial,
            _label(PassStatus, status),
            euros(value_cents),
            checkbook,
            issued_on,
            expires_on or stock_expires_on,
            local_day(redeemed_at),
            session_date,
            provider,
            f"{statement_period:%Y-%m}" if statement_period else None,
        )


# --- Séances (La Coop de la médiation numérique's activity columns first) --------------------

SESSION_HEADER = (
    # La Coop's « Activités » export, in its order (the columns passnum can fill).
    "Date",
    "Type",
    "Nombre de participants",
    "Canaux d'accompagnement",
    "Lieu",
    "Durée (min)",
    "Thématique(s) d'accompagnement",
    # passnum's own.
    "N° de séance",
    "Structure",
    "Code INSEE du lieu",
    "Commune du lieu",
    "Parcours",
    "Pass encaissés",
    "Montant (€)",
)
# La Coop's labels for the type of activity and the « canal » (typeActiviteLabels,
# typeLieuLabels); a session in the provider's own premises is La Coop's « Lieu d'activité ».
COOP_KIND_LABELS = {
    SessionKind.INDIVIDUAL: "Accompagnement individuel",
    SessionKind.COLLECTIVE: "Atelier collectif",
}
COOP_PLACE_TYPE_LABELS = {
    PlaceType.OWN_SITE: "Lieu d'activité",
    PlaceType.HOME: "À domicile",
    PlaceType.REMOTE: "À distance",
}


def sessions_query(programme, period: Period = EVERYTHING, *, using=None):
    live = Q(redemptions__undone_at__isnull=True)
    return (
        Session.objects.using(_database(using))
        .filter(programme=programme, undone_at__isnull=True, **period.date_filter("date"))
        .annotate(
            participants=Count("redemptions__pass_obj__checkbook", filter=live, distinct=True),
            passes_count=Count("redemptions", filter=live),
            amount_cents=Coalesce(Sum("redemptions__pass_obj__value_cents", filter=live), 0),
        )
        .order_by("date", "pk")
        .values_list(
            "date",
            "kind",
            "participants",
            "place_type",
            "place__name",
            "duration_minutes",
            "services",
            "pk",
            "organisation__name",
            "place__commune__insee_code",
            "place__commune__name",
            "path__name",
            "passes_count",
            "amount_cents",
        )
    )


def session_rows(programme, period: Period = EVERYTHING, *, using=None) -> Rows:
    yield SESSION_HEADER
    query = sessions_query(programme, period, using=using)
    for (
        day,
        kind,
        participants,
        place_type,
        place,
        duration,
        services,
        pk,
        provider,
        insee,
        commune,
        path,
        passes_count,
        amount_cents,
    ) in query.iterator(chunk_size=CHUNK_SIZE):
        yield (
            day,
            COOP_KIND_LABELS.get(kind, kind),
            participants,
            COOP_PLACE_TYPE_LABELS.get(place_type, place_type),
            place,
            duration,
            joined(_label(Service, code) for code in services or []),
            pk,
            provider,
            insee,
            commune,
            path,
            passes_count,
            euros(amount_cents),
        )


# --- Relevés --------------------------------------------------------------------------------

STATEMENT_HEADER = (
    "N° de relevé",
    "Structure",
    "SIRET",
    "Mois",
    "Statut",
    "Pass",
    "Montant (€)",
    "Validé le",
    "Payé le",
    "Référence du paiement",
)


def statements_query(programme, period: Period = EVERYTHING, *, using=None):
    # A statement covers a month (its first day is stored): it counts when its month overlaps
    # the period.
    lookups = {}
    if period.start is not None:
        lookups["period__gte"] = period.start.replace(day=1)
    if period.end is not None:
        lookups["period__lte"] = period.end
    statements = Statement.objects.using(_database(using)).filter(programme=programme, **lookups)
    return (
        with_totals(statements)
        .order_by("period", "organisation__name", "pk")
        .values_list(
            "pk",
            "organisation__name",
            "organisation__siret",
            "period",
            "status",
            "passes_count",
            "amount_cents",
            "validated_at",
            "paid_on",
            "payment_reference",
        )
    )


def statement_rows(programme, period: Period = EVERYTHING, *, using=None) -> Rows:
    yield STATEMENT_HEADER
    query = statements_query(programme, period, using=using)
    for (
        pk,
        provider,
        siret,
        month,
        status,
        passes_count,
        amount_cents,
        validated_at,
        paid_on,
        reference,
    ) in query.iterator(chunk_size=CHUNK_SIZE):
        yield (
            f"{month:%Y%m}-{pk}",  # as statements.periods.statement_number writes it
            provider,
            siret or None,
            f"{month:%Y-%m}",
            _label(StatementStatus, status),
            passes_count,
            euros(amount_cents),
            local_day(validated_at),
            paid_on,
            reference or None,
        )


# --- The catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    name: ExportName
    slug: str  # the file's name
    sheet: str  # the XLSX sheet's title
    capability: Capability
    filtered_on: str  # what the period filters on, in French (« la date de la séance »)
    query: Callable  # (programme, period, *, using) → the values_list queryset
    rows: Callable  # (programme, period, *, using) → header, then the rows

    @property
    def label(self) -> str:
        return self.name.label

    def count(self, programme, period: Period = EVERYTHING, *, using=None) -> int:
        return self.query(programme, period, using=using).count()

    def filename(self, period: Period, fmt: str) -> str:
        parts = [f"passnum-{self.slug}"]
        if period.start:
            parts.append(f"du-{period.start:%Y-%m-%d}")
        if period.end:
            parts.append(f"au-{period.end:%Y-%m-%d}")
        return "_".join(parts) + f".{ExportFormat(fmt).value}"


EXPORTS = {
    export.name: export
    for export in (
        Export(
            ExportName.REFERRALS,
            "orientations",
            "Orientations",
            Capability.EXPORT_REFERRALS,
            "la date de l'orientation",
            referrals_query,
            referral_rows,
        ),
        Export(
            ExportName.PASSES,
            "pass",
            "Pass",
            Capability.EXPORT,
            "la date de remise du chéquier (sans période, le stock aussi)",
            passes_query,
            pass_rows,
        ),
        Export(
            ExportName.SESSIONS,
            "seances",
            "Séances",
            Capability.EXPORT,
            "la date de la séance",
            sessions_query,
            session_rows,
        ),
        Export(
            ExportName.STATEMENTS,
            "releves",
            "Relevés",
            Capability.EXPORT,
            "le mois du relevé (un mois qui chevauche la période compte)",
            statements_query,
            statement_rows,
        ),
    )
}


def export_named(name: str) -> Export:
    """The export called ``name``, or ``InvalidInput`` (422) naming the known ones."""
    try:
        return EXPORTS[ExportName(name)]
    except ValueError:
        raise InvalidInput(
            f"Export inconnu : « {str(name)[:40]} » (attendu : {', '.join(ExportName.values)}).",
            code="unknown_export",
            field="name",
        ) from None


def export_format(fmt: str) -> ExportFormat:
    try:
        return ExportFormat(fmt)
    except ValueError:
        raise InvalidInput(
            f"Format inconnu : « {str(fmt)[:40]} » (attendu : {', '.join(ExportFormat.values)}).",
            code="unknown_format",
            field="format",
        ) from None


def ensure_can_export(actor, name: str) -> Export:
    """The export, if the actor's role may make it (the operator: all of them; the Département:
    the referrals only); ``NotAllowed`` otherwise."""
    export = export_named(name)
    ensure_can(actor, export.capability)
    return export


def exports_for(actor) -> list[Export]:
    """The exports the actor may make, in the catalogue's order."""
    return [export for export in EXPORTS.values() if can(actor, export.capability)]
