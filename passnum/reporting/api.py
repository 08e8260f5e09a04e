"""The programme's indicators over the API (the Département, the operator, the funders)."""

import datetime
import io
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from passnum.api.schemas import Error, Id, InvalidInputOut, QuerySchema
from passnum.referential.enums import Public, Service

from .indicators import (
    BURST_MIN_CHECKBOOKS,
    BURST_MIN_PASSES,
    OUTSIDE_PRIORITY,
    PIC_TARGET,
    Filters,
    indicators_for,
    misuse_signals,
)
from .periods import parse_period
from .report_documents import PDF, RENDERERS, XLSX, renderer_for
from .state_report import FINAL, state_report_for

router = Router(tags=["Indicateurs"])

DATE = {"pattern": r"^\d{4}-\d{2}-\d{2}$", "example": "2026-01-01"}
PublicFilter = Literal[(*Public.values, OUTSIDE_PRIORITY)]


class StatsQuery(QuerySchema):
    from_: str | None = Field(
        default=None,
        alias="from",
        json_schema_extra=DATE,
        description="Début de la période (AAAA-MM-JJ, inclus) : les chéquiers prescrits et les "
        "pass utilisés à partir de ce jour.",
    )
    to: str | None = Field(
        default=None,
        json_schema_extra=DATE,
        description="Fin de la période (AAAA-MM-JJ, incluse).",
    )
    public: PublicFilter | None = Field(
        default=None,
        description="Seulement les personnes de ce public (ou `hors_public_prioritaire`).",
    )
    commune: str | None = Field(
        default=None,
        pattern=r"^[0-9][0-9AB][0-9]{3}$",
        description="Seulement les personnes de cette commune (code INSEE).",
    )
    provider_id: Id | None = Field(
        default=None, description="Seulement les pass utilisés dans cette structure."
    )


class BudgetOut(Schema):
    envelope_cents: int
    engineering_cents: int
    pass_budget_cents: int
    passes_total: int
    committed_cents: int
    consumed_cents: int
    available_cents: int
    runs_out_on: datetime.date | None = Field(
        description="Date où le budget disponible serait épuisé au rythme des prescriptions des "
        "90 derniers jours (null : aucune prescription récente)."
    )


class PassesOut(Schema):
    available: int
    assigned: int
    redeemed: int
    reimbursed: int
    expired: int
    cancelled: int


class FunderOut(Schema):
    name: str
    share_percent: float
    consumed_cents: int = Field(description="Sa part de la valeur des pass consommés.")


class CheckbooksOut(Schema):
    prescribed: int = Field(description="Chéquiers prescrits dans la période.")
    started: int = Field(description="… dont au moins un pass a été utilisé.")
    finished: int = Field(description="… dont tous les pass (hors annulés) ont été utilisés.")


class UsedOut(Schema):
    passes: int
    cents: int


class ProviderOut(Schema):
    organisation_id: int
    name: str
    passes: int
    cents: int


class PathOut(Schema):
    path_id: int | None
    name: str
    passes: int
    cents: int


class CommuneOut(Schema):
    name: str
    epci_code: str
    prescribed: int
    passes_used: int


class EpciOut(Schema):
    code: str
    name: str
    prescribed: int
    passes_used: int


class MonthOut(Schema):
    prescribed: int
    passes_used: int


class YearOut(Schema):
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    prescribed: int
    passes_used: int
    consumed_cents: int


class RemindersOut(Schema):
    reminded: int = Field(
        description="Chéquiers devenus dormants dont la personne a été relancée."
    )
    resumed_after_reminder: int = Field(
        description="… et dont un pass a été utilisé dans les 30 jours suivant la relance."
    )
    not_reminded: int = Field(description="Chéquiers devenus dormants sans relance.")
    resumed_without_reminder: int = Field(
        description="… et dont un pass a été utilisé dans les 30 jours."
    )


class StatsOut(Schema):
    budget: BudgetOut
    funders: list[FunderOut]
    passes: PassesOut = Field(
        description="Les pass des chéquiers prescrits dans la période, par état, et le stock."
    )
    usage_rate: float = Field(
        ge=0,
        le=1,
        description="Pass encaissés ou remboursés sur pass attribués (hors annulés), de 0 à 1.",
    )
    checkbooks: CheckbooksOut
    people: int = Field(description="Personnes distinctes ayant reçu un chéquier dans la période.")
    median_days_to_first_use: float | None = Field(
        description="Médiane des jours entre la prescription et la première utilisation."
    )
    pic_share: float = Field(
        ge=0, le=1, description="Part des chéquiers prescrits à des publics du PIC, de 0 à 1."
    )
    pic_target: float = Field(description="Objectif de part des publics du PIC (0,5).")
    by_public: dict[PublicFilter, int] = Field(
        description="Chéquiers prescrits par public prioritaire (tous les codes, et "
        "`hors_public_prioritaire`)."
    )
    by_service: dict[Service, int] = Field(
        description="Chéquiers prescrits par besoin (tous les codes de services)."
    )
    used: UsedOut = Field(description="Pass utilisés dans la période.")
    by_provider: list[ProviderOut]
    by_path: list[PathOut]
    by_commune: dict[str, CommuneOut] = Field(description="Code INSEE → chiffres de la commune.")
    by_epci: list[EpciOut]
    by_month: dict[str, MonthOut] = Field(description="AAAA-MM → chiffres du mois.")
    by_year: list[YearOut] = Field(description="Chaque année du programme.")
    reminders: RemindersOut = Field(
        description="Effet des relances sur les chéquiers devenus dormants dans la période "
        "(tout le programme : les filtres ne s'appliquent pas)."
    )


def stats_body(figures) -> dict:
    budget = figures.budget
    return {
        "budget": {
            "envelope_cents": budget.envelope_cents,
            "engineering_cents": budget.engineering_cents,
            "pass_budget_cents": budget.pass_budget_cents,
            "passes_total": budget.passes_total,
            "committed_cents": budget.committed_cents,
            "consumed_cents": budget.consumed_cents,
            "available_cents": budget.available_cents,
            "runs_out_on": figures.budget_runs_out_on,
        },
        "funders": [
            {
                "name": share.funder.name,
                "share_percent": share.funder.share_percent,
                "consumed_cents": share.of_consumed_cents,
            }
            for share in figures.funders
        ],
        "passes": figures.passes,
        "usage_rate": figures.usage_rate,
        "checkbooks": vars(figures.checkbooks),
        "people": figures.people,
        "median_days_to_first_use": figures.median_days_to_first_use,
        "pic_share": figures.pic_share,
        "pic_target": PIC_TARGET,
        "by_public": figures.by_public,
        "by_service": figures.by_service,
        "used": vars(figures.used),
        "by_provider": [
            {
                "organisation_id": p.organisation_id,
                "name": p.name,
                "passes": p.used.passes,
                "cents": p.used.cents,
            }
            for p in figures.by_provider
        ],
        "by_path": [
            {"path_id": p.path_id, "name": p.name, "passes": p.used.passes, "cents": p.used.cents}
            for p in figures.by_path
        ],
        "by_commune": {
            c.insee_code: {
                "name": c.name,
                "epci_code": c.epci_code,
                "prescribed": c.prescribed,
                "passes_used": c.used.passes,
            }
            for c in figures.by_commune
        },
        "by_epci": [
            {
                "code": e.code,
                "name": e.name,
                "prescribed": e.prescribed,
                "passes_used": e.used.passes,
            }
            for e in figures.by_epci
        ],
        "by_month": {
            m.month: {"prescribed": m.prescribed, "passes_used": m.used.passes}
            for m in figures.by_month
        },
        "by_year": [
            {
                "number": y.number,
                "starts_on": y.starts_on,
                "ends_on": y.ends_on,
                "prescribed": y.prescribed,
                "passes_used": y.used.passes,
                "consumed_cents": y.used.cents,
            }
            for y in figures.by_year
        ],
        "reminders": vars(figures.reminders),
    }


@router.get(
    "/stats",
    response={200: StatsOut, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Indicateurs du programme",
    description="Budget et part de chaque financeur (tout le registre) ; pour la période : "
    "chéquiers prescrits, leurs pass par état, taux d'utilisation, part des publics du PIC, "
    "délai de première utilisation ; pass utilisés par structure, parcours, commune, "
    "intercommunalité, mois et année du programme. 422 `invalid_date`, `invalid_period`.",
)
def stats(request, query: Query[StatsQuery]):
    period = parse_period(query.from_, query.to)
    filters = Filters(public=query.public, commune=query.commune, provider_id=query.provider_id)
    return stats_body(indicators_for(request.auth, period, filters))


class ReportQuery(QuerySchema):
    year: str = Field(
        json_schema_extra={"pattern": rf"^([0-9]{{4}}|{FINAL})$", "example": "2026"},
        description="Une année civile du programme déjà commencée (AAAA ; l'année en cours "
        "s'arrête au jour de la demande), ou `final` : le programme entier.",
    )
    format: str = Field(
        default="pdf",
        json_schema_extra={"enum": list(RENDERERS)},
        description="`pdf` (A4) ou `xlsx` (une feuille par section).",
    )


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/reports/state",
    response={401: Error, 403: Error, 422: InvalidInputOut},
    summary="Bilan pour l'État (pilote, financeurs)",
    description="Le bilan d'une année du programme ou le bilan final, en PDF ou en XLSX : pass "
    "achetés, prescrits et utilisés ; personnes accompagnées par public, commune et "
    "intercommunalité ; part des publics du PIC ; dépense par financeur ; ingénierie ; par mois. "
    "Les chiffres sont ceux de `GET /stats` pour la même période. 422 `year_required`, "
    "`invalid_year`, `unknown_year` (hors du programme), `year_not_started`, `invalid_format`.",
    openapi_extra={
        "responses": {
            200: {
                "description": "Le document, en pièce jointe (`Content-Disposition`).",
                "content": {PDF: BINARY, XLSX: BINARY},
            }
        }
    },
)
def state_report(request, query: Query[ReportQuery]):
    extension, write, content_type = renderer_for(query.format)
    report = state_report_for(request.auth, query.year)
    out = io.BytesIO()
    write(report, out)
    response = HttpResponse(out.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(extension)}"'
    return response


class SelfReferredOut(Schema):
    organisation_id: int
    name: str
    siret: str
    self_referred: int = Field(
        description="Pass encaissés pour des personnes orientées par une "
        "structure du programme de même SIREN."
    )
    redeemed: int = Field(description="Pass encaissés en tout (encaissements en vigueur).")
    share: float = Field(ge=0, le=1)


class BurstOut(Schema):
    organisation_id: int
    name: str
    day: datetime.date = Field(description="Jour de saisie des encaissements.")
    passes: int
    checkbooks: int


class MisuseOut(Schema):
    self_referred: list[SelfReferredOut]
    bursts: list[BurstOut]
    burst_min_passes: int
    burst_min_checkbooks: int


@router.get(
    "/misuse",
    response={200: MisuseOut, 401: Error, 403: Error},
    summary="Signalements (pilote)",
    description="Par structure de médiation, les pass encaissés pour les orientations de sa "
    "propre entreprise (même SIREN), la part la plus élevée d'abord ; les rafales : une "
    "structure qui saisit en un jour au moins `burst_min_passes` pass d'au moins "
    "`burst_min_checkbooks` chéquiers. Des signaux, pas des preuves.",
)
def misuse(request):
    signals = misuse_signals(request.auth)
    return {
        "self_referred": [
            {
                "organisation_id": row.organisation_id,
                "name": row.name,
                "siret": row.siret,
                "self_referred": row.self_referred,
                "redeemed": row.redeemed,
                "share": row.share,
            }
            for row in signals.self_referred
        ],
        "bursts": [vars(burst) for burst in signals.bursts],
        "burst_min_passes": BURST_MIN_PASSES,
        "burst_min_checkbooks": BURST_MIN_CHECKBOOKS,
    }
