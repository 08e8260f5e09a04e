"""The programme's exports over the API: streamed at once, or made in the background (jobs).

The operator may ask for every export, the Département for ``referrals`` only; other roles get
403. Routes stay thin: ``exports.py`` holds the rows and the rights, ``services.py`` the jobs.
"""

import datetime
from typing import Annotated

from ninja import Query, Router, Schema, Status
from pydantic import Field, WithJsonSchema

from passnum.api.schemas import Error, Id, InvalidInputOut, QuerySchema, StrictSchema
from passnum.common.exceptions import Conflict

from .downloads import stored_export, stream_export
from .enums import ExportFormat, ExportName, ExportStatus
from .exports import ensure_can_export, export_format
from .periods import parse_period
from .selectors import export_file_for
from .services import request_export
from .writers import CONTENT_TYPES

router = Router(tags=["Exports"])

DATE = {"format": "date"}
# Stated as enumerations for the clients, read as text: an unknown value gets the French
# message of ``exports.export_named`` / ``export_format`` (422 ``unknown_export``,
# ``unknown_format``) rather than the generic one.
NameText = Annotated[str, WithJsonSchema({"type": "string", "enum": ExportName.values})]
FormatText = Annotated[
    str, WithJsonSchema({"type": "string", "enum": ExportFormat.values, "default": "xlsx"})
]
FROM = "Début de la période, AAAA-MM-JJ (inclus ; vide : depuis le début)."
TO = "Fin de la période, AAAA-MM-JJ (incluse ; vide : jusqu'à aujourd'hui)."
FILE_RESPONSE = {
    "description": "Le fichier (CSV : UTF-8 avec BOM, « ; » ; XLSX : une feuille).",
    "content": {
        CONTENT_TYPES[ExportFormat.CSV].split(";")[0]: {
            "schema": {"type": "string", "format": "binary"}
        },
        CONTENT_TYPES[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
    },
}


class ExportQuery(QuerySchema):
    format: FormatText = Field("xlsx", description="`xlsx` (par défaut) ou `csv`.")
    start: str | None = Field(None, alias="from", json_schema_extra=DATE, description=FROM)
    end: str | None = Field(None, alias="to", json_schema_extra=DATE, description=TO)


class JobIn(StrictSchema):
    format: FormatText = Field("xlsx", description="`xlsx` (par défaut) ou `csv`.")
    start: str | None = Field(None, alias="from", json_schema_extra=DATE, description=FROM)
    end: str | None = Field(None, alias="to", json_schema_extra=DATE, description=TO)


class JobOut(Schema):
    id: int
    name: ExportName
    format: ExportFormat
    start: datetime.date | None = Field(alias="from")
    end: datetime.date | None = Field(alias="to")
    status: ExportStatus
    rows_done: int
    rows_total: int | None = Field(description="Connu dès que la production commence.")
    size_bytes: int
    filename: str
    error: str = Field(description="En échec : pourquoi, en français.")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    file_url: str | None = Field(description="Adresse du fichier, une fois prêt.")


def _job(export) -> dict:
    return {
        "id": export.pk,
        "name": export.name,
        "format": export.format,
        "from": export.period_start,
        "to": export.period_end,
        "status": export.status,
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "size_bytes": export.size_bytes,
        "filename": export.filename,
        "error": export.error,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "file_url": (
            f"/api/v1/exports/jobs/{export.pk}/file"
            if export.status == ExportStatus.DONE
            else None
        ),
    }


@router.get(
    "/exports/{name}",
    response={200: None, 401: Error, 403: Error, 422: InvalidInputOut},
    openapi_extra={"responses": {"200": FILE_RESPONSE}},
    summary="Télécharger un export (pilote ; Département : orientations)",
    description="Le fichier est produit pendant l'envoi. `referrals` : une ligne par "
    "orientation, sans nom, date de naissance, contact ni texte libre (période : date de "
    "l'orientation). `passes` : une ligne par pass, jamais son code (période : date de remise "
    "du chéquier ; sans période, le stock aussi). `sessions` : une ligne par séance, colonnes "
    "de La Coop de la médiation numérique d'abord (période : date de la séance). "
    "`statements` : une ligne par relevé (période : mois du relevé). 422 `unknown_export`, "
    "`unknown_format`, `invalid_date`, `invalid_period`.",
)
def download(request, name: NameText, query: Query[ExportQuery]):
    actor = request.auth
    export = ensure_can_export(actor, name)
    fmt = export_format(query.format)
    period = parse_period(query.start, query.end)
    return stream_export(actor, export, fmt, period)


@router.post(
    "/exports/{name}/jobs",
    response={202: JobOut, 401: Error, 403: Error, 422: InvalidInputOut},
    by_alias=True,
    summary="Faire produire un export en arrière-plan",
    description="Pour un gros export : le fichier est produit par le processus d'arrière-plan ; "
    "suivez-le avec `GET /exports/jobs/{id}`, puis téléchargez-le (`file_url`). Il est gardé "
    "7 jours. 422 `unknown_export`, `unknown_format`, `invalid_date`, `invalid_period`.",
)
def create_job(request, name: NameText, payload: JobIn):
    ensure_can_export(request.auth, name)
    period = parse_period(payload.start, payload.end)
    made = request_export(request.auth, name, payload.format, period)
    return Status(202, _job(made))


@router.get(
    "/exports/jobs/{job_id}",
    response={200: JobOut, 401: Error, 403: Error, 404: Error},
    by_alias=True,
    summary="Suivre un export produit en arrière-plan",
    description="Statut (`queued`, `running`, `done`, `failed`), lignes écrites sur lignes à "
    "écrire. 404 pour un export d'un autre programme.",
)
def job(request, job_id: Id):
    return _job(export_file_for(request.auth, job_id))


@router.get(
    "/exports/jobs/{job_id}/file",
    response={200: None, 401: Error, 403: Error, 404: Error, 409: Error},
    openapi_extra={"responses": {"200": FILE_RESPONSE}},
    summary="Télécharger un export produit en arrière-plan",
    description="409 `export_not_ready` tant qu'il n'est pas prêt (ou s'il a échoué).",
)
def job_file(request, job_id: Id):
    export = export_file_for(request.auth, job_id)
    if export.status != ExportStatus.DONE:
        raise Conflict(
            f"Cet export n'est pas prêt (statut : {export.get_status_display().lower()}).",
            code="export_not_ready",
        )
    return stored_export(export)
