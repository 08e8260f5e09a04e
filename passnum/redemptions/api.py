"""Redemptions and sessions over the API (providers). Routes stay thin: the services decide."""

import datetime
from typing import Annotated

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from passnum.api import idempotency
from passnum.api.schemas import (
    Error,
    Id,
    IdempotencyKey,
    InvalidInputOut,
    Pagination,
    StrictSchema,
)
from passnum.passes.api import CODE_MAX_LENGTH
from passnum.referential.enums import Service

from .exceptions import REASONS
from .models import PlaceType, Redemption, SessionKind
from .selectors import redeemed_serials, redemption_receipt, session_for, sessions_of
from .services import (
    MAX_CODES,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    REASON_MAX,
    redeem,
    undo_session,
)

router = Router(tags=["Encaissements"])


class RedemptionIn(StrictSchema):
    # Bounds stated with ``json_schema_extra`` are the service's rules, refused with their own
    # codes (``codes_required``, ``invalid_duration``…); the others are checked on parsing.
    codes: list[Annotated[str, StringConstraints(max_length=CODE_MAX_LENGTH)]] = Field(
        max_length=MAX_CODES,
        json_schema_extra={"minItems": 1},
        description="Codes des pass remis (1 à 50), tels que saisis : majuscules, minuscules, "
        "espaces et tirets acceptés.",
    )
    date: datetime.date = Field(description="Date de la séance (pas dans le futur).")
    duration_minutes: int = Field(
        json_schema_extra={"minimum": MIN_DURATION_MINUTES, "maximum": MAX_DURATION_MINUTES},
        description="Durée de la séance, de 60 à 480 minutes (un pass par heure et par personne).",
    )
    services: list[Service] = Field(
        default_factory=list,
        max_length=len(Service),
        description="Services abordés (voir /referential) ; au moins un sans parcours.",
    )
    path_id: Id | None = Field(default=None, description="Parcours suivi (ses services).")
    place_id: Id | None = Field(default=None, description="Lieu de la structure.")
    place_type: PlaceType = PlaceType.OWN_SITE
    kind: SessionKind = SessionKind.INDIVIDUAL


class RedemptionOut(Schema):
    session_id: int
    redeemed: list[str] = Field(description="Numéros de série des pass encaissés.")
    amount_cents: int


class RefusedPass(Schema):
    input: str = Field(description="Le code tel qu'il a été envoyé.")
    reason: str = Field(
        json_schema_extra={"enum": list(REASONS)},
        description="Pourquoi ce pass est refusé : malformed_code, duplicate_code, unknown_code, "
        "already_redeemed, cancelled, expired, not_assigned, before_prescription, "
        "after_end_date, too_many_passes.",
    )
    message: str


class RedemptionRefusedOut(Error):
    """All or nothing: ``code`` is the reason of the first bad pass; ``passes`` names each."""

    passes: list[RefusedPass] | None = None
    field: str | None = None


class RedemptionInvalidOut(InvalidInputOut):
    passes: list[RefusedPass] | None = None


class SessionItem(Schema):
    id: int
    date: datetime.date
    duration_minutes: int
    services: list[Service]
    path_id: int | None
    place_id: int | None
    place_type: PlaceType
    kind: SessionKind
    passes_count: int
    amount_cents: int
    created_at: datetime.datetime
    undone_at: datetime.datetime | None
    passes: list[str] = Field(description="Numéros de série des pass encaissés.")


class SessionPage(Schema):
    items: list[SessionItem]
    count: int


class UndoIn(StrictSchema):
    reason: str = Field(
        json_schema_extra={"minLength": 1, "maxLength": REASON_MAX},
        description=f"Motif de l'annulation (journalisé), {REASON_MAX} caractères au plus.",
    )


def _item(session, serials) -> dict:
    return {
        "id": session.pk,
        "date": session.date,
        "duration_minutes": session.duration_minutes,
        "services": session.services,
        "path_id": session.path_id,
        "place_id": session.place_id,
        "place_type": session.place_type,
        "kind": session.kind,
        "passes_count": session.passes_count,
        "amount_cents": session.amount_cents,
        "created_at": session.created_at,
        "undone_at": session.undone_at,
        "passes": serials,
    }


@router.post(
    "/redemptions",
    response={
        201: RedemptionOut,
        401: Error,
        403: Error,
        404: RedemptionRefusedOut,
        409: RedemptionRefusedOut,
        410: RedemptionRefusedOut,
        422: RedemptionInvalidOut,
        429: Error,
    },
    summary="Encaisser des pass (structure habilitée)",
    description=(
        "Enregistre une séance et les pass remis par les participants : un pass par heure et par "
        "personne. Tout ou rien : un seul pass refusé et rien n'est enregistré ; la réponse "
        "nomme chaque pass refusé dans `passes` (`input`, `reason`, `message`) et `code` est le "
        "motif du premier, qui donne le statut : 404 `unknown_code`, 409 `already_redeemed`, "
        "`cancelled` ou `not_assigned`, 410 `expired` ou `after_end_date`, 422 "
        "`malformed_code`, `duplicate_code`, `before_prescription` ou `too_many_passes`. "
        "403 `not_accredited` pour une structure non habilitée ou suspendue ; 422 "
        "`date_in_future`, `invalid_duration`, `services_required` ; 429 au lieu d'un refus "
        "après trop de codes erronés (20 par membre, 60 par structure en 15 minutes), un "
        "encaissement de pass valides restant accepté."
    ),
)
def create_redemption(
    request,
    payload: RedemptionIn,
    response: HttpResponse,
    idempotency_key: IdempotencyKey = None,
):
    actor = request.auth

    def act() -> idempotency.Outcome:
        session = redeem(
            actor,
            codes=payload.codes,
            date=payload.date,
            duration_minutes=payload.duration_minutes,
            services=payload.services,
            path=payload.path_id,
            place=payload.place_id,
            place_type=payload.place_type,
            kind=payload.kind,
        )
        passes = session.redeemed_passes
        body = {
            "session_id": session.pk,
            "redeemed": [p.serial for p in passes],
            "amount_cents": sum(p.value_cents for p in passes),
        }
        return idempotency.Outcome(session.pk, 201, body)

    outcome = idempotency.run(
        request,
        operation="redemptions",
        key=idempotency_key,
        payload=payload,
        act=act,
        rebuild=lambda session_id: redemption_receipt(actor, session_id),
    )
    idempotency.mark(response, outcome)
    return Status(outcome.status, outcome.body)


@router.get(
    "/sessions",
    response={200: SessionPage, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Séances de ma structure",
    description="Les séances déclarées par la structure, les plus récentes d'abord, avec les "
    "numéros de série des pass encaissés (jamais l'identité des personnes).",
)
def list_sessions(request, filters: Query[Pagination]):
    sessions = sessions_of(request.auth)
    page = list(sessions[filters.offset : filters.offset + filters.limit])
    serials = {}
    for session_id, serial in (
        Redemption.objects.filter(session__in=page)
        .order_by("pass_obj__serial")
        .values_list("session_id", "pass_obj__serial")
    ):
        serials.setdefault(session_id, []).append(serial)
    return {"items": [_item(s, serials.get(s.pk, [])) for s in page], "count": sessions.count()}


@router.post(
    "/sessions/{session_id}/undo",
    response={
        200: SessionItem,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: InvalidInputOut,
    },
    summary="Annuler une séance (dans les 48 heures)",
    description="La structure qui a déclaré la séance l'annule dans les 48 heures, tant "
    "qu'aucun de ses pass n'est sur un relevé : les pass redeviennent utilisables. "
    "409 `undo_too_late`, `in_statement` ou `already_undone`.",
)
def undo(request, session_id: Id, payload: UndoIn):
    actor = request.auth
    undo_session(actor, session_for(actor, session_id), payload.reason)
    session = session_for(actor, session_id)
    return _item(session, redeemed_serials(session))
