"""Orientations and prescriptions over the API. Routes stay thin: the services decide."""

import datetime
from contextlib import contextmanager

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from passnum.api import idempotency
from passnum.api.schemas import (
    Error,
    Id,
    IdempotencyKey,
    InvalidInputOut,
    Pagination,
    Ref,
    StrictSchema,
)
from passnum.beneficiaries.services import EMAIL_MAX, NAME_MAX, BeneficiaryData
from passnum.common.exceptions import InvalidInput
from passnum.organisations.permissions import Capability, ensure_can
from passnum.passes import codes, keys
from passnum.passes.enums import PassStatus, ReminderChannel
from passnum.referential.enums import Public, Service
from passnum.territories.selectors import commune_by_insee

from .enums import FollowUpReason, ReferralStatus
from .exceptions import PossibleDuplicate
from .presenters import present_referral, referral_item
from .selectors import follow_up_for, prescription_for, referral_for, referrals_visible_to
from .services import COMMENT_MAX, OnDuplicate, prescribe, refer, reject, remind, withdraw

router = Router(tags=["Orientations"])

# Fields named by the beneficiary rules → the same fields in this API's body.
BENEFICIARY_FIELDS = {
    "first_name": "beneficiary.first_name",
    "last_name": "beneficiary.last_name",
    "birth_date": "beneficiary.birth_date",
    "commune": "beneficiary.commune_insee",
    "email": "beneficiary.email",
    "phone": "beneficiary.phone",
    "notice_given_on": "beneficiary.notice_given_on",
}


# The rules below are the services' (with their French messages, ``field`` named); the schema
# states them for clients (``json_schema_extra``) without answering in their stead.
def _states(**schema):
    return {"json_schema_extra": schema}


class BeneficiaryIn(StrictSchema):
    first_name: str = Field(**_states(minLength=1, maxLength=NAME_MAX))
    last_name: str = Field(**_states(minLength=1, maxLength=NAME_MAX))
    birth_date: datetime.date
    commune_insee: str = Field(
        description="Code INSEE de la commune de résidence.",
        **_states(pattern=r"^[0-9][0-9AB][0-9]{3}$"),
    )
    email: str = Field(default="", **_states(maxLength=EMAIL_MAX))
    phone: str = Field(
        default="",
        description="10 chiffres (04 66 00 00 00, +33…), espaces, points et tirets acceptés.",
        **_states(maxLength=30),
    )
    notice_given_on: datetime.date | None = Field(
        default=None,
        description="Date de remise de la notice d'information (par défaut : aujourd'hui).",
    )


class ReferralIn(StrictSchema):
    beneficiary: BeneficiaryIn
    publics: list[str] = Field(
        description="Codes des publics prioritaires (voir /referential).",
        **_states(items={"enum": Public.values}, maxItems=len(Public.values)),
    )
    needs: list[str] = Field(
        description="Codes des services dont la personne a besoin (au moins un).",
        **_states(items={"enum": Service.values}, minItems=1, maxItems=len(Service.values)),
    )
    comment: str = Field(default="", **_states(maxLength=COMMENT_MAX))
    beneficiary_id: Id | None = Field(
        default=None,
        description=(
            "Après un 409 `possible_duplicate` : la personne existante choisie parmi `candidates` "
            "(elle doit avoir les nom, prénom et date de naissance envoyés)."
        ),
    )
    new_person: bool = Field(
        default=False,
        description=(
            "Après un 409 `possible_duplicate` : confirme qu'il s'agit d'une autre personne."
        ),
    )


class ReferralCreated(Schema):
    id: int
    status: ReferralStatus
    tier: int
    beneficiary_id: int
    publics: list[Public]


class PassesCount(Schema):
    total: int
    used: int
    left: int


class ReferralItem(Schema):
    id: int
    status: ReferralStatus
    tier: int = Field(ge=1, le=3)
    publics: list[Public]
    needs: list[Service]
    created_at: datetime.datetime
    beneficiary_id: int
    organisation: Ref
    passes: PassesCount
    possible_duplicate: bool | None = Field(
        default=None,
        description="Département seulement : une autre structure a enregistré une personne de "
        "mêmes nom, prénom et date de naissance.",
    )


class BeneficiaryOut(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: datetime.date
    commune_insee: str
    commune_name: str
    notice_given_on: datetime.date
    email: str | None = Field(
        default=None,
        description="Seulement pour la structure qui a enregistré la personne, et le Département.",
    )
    phone: str | None = Field(default=None, description="Comme `email`.")


class CheckbookRef(Schema):
    id: int
    number: int
    expires_on: datetime.date


class RunningCheckbook(Schema):
    number: int
    expires_on: datetime.date
    passes_left: int


class OtherReferral(Schema):
    id: int
    status: ReferralStatus
    created_at: datetime.datetime
    organisation: Ref


class OtherRecord(Schema):
    beneficiary_id: int
    organisation: Ref | None = Field(
        default=None, description="La structure qui a enregistré la personne."
    )
    referrals: list[OtherReferral]
    checkbook: RunningCheckbook | None = Field(
        default=None, description="Son chéquier en cours, s'il y en a un."
    )


class ReferralDetail(ReferralItem):
    created_by: str
    comment: str
    decided_at: datetime.datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    checkbook: CheckbookRef | None = None
    beneficiary: BeneficiaryOut | None = Field(
        default=None, description="La personne orientée (rôles qui voient les personnes)."
    )
    other_records: list[OtherRecord] | None = Field(
        default=None,
        description="Département seulement : les autres enregistrements de la même identité "
        "(doublons possibles entre structures), à résoudre avant de prescrire.",
    )


class ReferralPage(Schema):
    items: list[ReferralItem]
    count: int


class ReferralFilters(Pagination):
    # Checked by the selector, whose French message lists the statuses; the schema states them.
    status: str | None = Field(
        default=None,
        description="Statut des orientations.",
        json_schema_extra={"enum": ReferralStatus.values},
    )


class PrintedPassOut(Schema):
    serial: str
    code: str = Field(description="Code secret, en groupes (K7QM-9T2D-XH47).")
    value_cents: int


class CheckbookOut(Schema):
    number: int
    expires_on: datetime.date
    passes: list[PrintedPassOut]


class PrescriptionOut(Schema):
    prescription_id: int
    checkbook: CheckbookOut


class PrescribeIn(StrictSchema):
    distinct_person: bool = Field(
        default=False,
        description="Confirme qu'une personne de mêmes nom, prénom et date de naissance "
        "enregistrée par une autre structure (`other_records`) est une autre personne.",
    )


class RejectIn(StrictSchema):
    reason: str = Field(
        description="Motif du refus, lu par l'orienteur.", **_states(maxLength=COMMENT_MAX)
    )


class WithdrawIn(StrictSchema):
    reason: str = Field(default="", **_states(maxLength=COMMENT_MAX))


@contextmanager
def _beneficiary_fields():
    """Name the wrong field as this API's body names it (``beneficiary.birth_date``…)."""
    try:
        yield
    except InvalidInput as exc:
        field = exc.extra.get("field")
        if field in BENEFICIARY_FIELDS:
            exc.extra["field"] = BENEFICIARY_FIELDS[field]
        raise


def _refer(actor, payload, person, commune):
    return refer(
        actor,
        publics=payload.publics,
        needs=payload.needs,
        comment=payload.comment,
        beneficiary_data=BeneficiaryData(
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            commune=commune,
            email=person.email,
            phone=person.phone,
            notice_given_on=person.notice_given_on,
        ),
        on_duplicate=OnDuplicate.CREATE if payload.new_person else OnDuplicate.REUSE,
        chosen_beneficiary_id=payload.beneficiary_id,
    )


def _detail(actor, referral_id) -> dict:
    return present_referral(actor, referral_for(actor, referral_id), today=timezone.localdate())


@router.post(
    "/referrals",
    response={201: ReferralCreated, 401: Error, 403: Error, 409: Error, 422: InvalidInputOut},
    summary="Orienter une personne",
    description=(
        "Crée l'orientation d'une personne (nouvelle, ou la seule personne du programme de "
        "mêmes nom, prénom et date de naissance). 409 `already_has_checkbook`, "
        "`already_pending` ou `possible_duplicate` (plusieurs personnes correspondent)."
    ),
)
def create_referral(request, payload: ReferralIn):
    actor = request.auth
    ensure_can(actor, Capability.REFER)
    person = payload.beneficiary
    with _beneficiary_fields():
        try:
            commune = commune_by_insee(person.commune_insee, actor.programme.territory_code)
        except InvalidInput as exc:
            exc.extra.setdefault("field", "commune")
            raise
        try:
            referral = _refer(actor, payload, person, commune)
        except PossibleDuplicate as exc:
            exc.extra["candidates"] = [
                {"beneficiary_id": c.pk, "commune_insee": c.commune.insee_code}
                for c in exc.extra.get("candidates", [])
            ]
            raise
    return Status(
        201,
        {
            "id": referral.pk,
            "status": referral.status,
            "tier": referral.tier,
            "beneficiary_id": referral.beneficiary_id,
            "publics": referral.publics,
        },
    )


@router.get(
    "/referrals",
    response={200: ReferralPage, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Orientations, dans l'ordre de la file d'attente",
    exclude_none=True,
    description="Un orienteur voit celles de sa structure ; le Département, toutes celles du "
    "programme (avec `possible_duplicate`) ; le pilote, aucune (403 : il pilote avec les "
    "indicateurs). Ordre : rang de priorité, puis ancienneté.",
)
def list_referrals(request, filters: Query[ReferralFilters]):
    actor = request.auth
    referrals = referrals_visible_to(actor, status=filters.status)
    page = referrals[filters.offset : filters.offset + filters.limit]
    return {"items": [referral_item(actor, r) for r in page], "count": referrals.count()}


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralDetail, 401: Error, 403: Error, 404: Error, 422: InvalidInputOut},
    summary="Une orientation",
    exclude_none=True,
)
def get_referral(request, referral_id: Id):
    return _detail(request.auth, referral_id)


@router.post(
    "/referrals/{referral_id}/prescribe",
    response={
        201: PrescriptionOut,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: InvalidInputOut,
    },
    summary="Prescrire un chéquier (Département)",
    description="409 `not_pending` (orientation déjà traitée), 409 `budget_exhausted` "
    "(budget ou stock insuffisant : rien n'est modifié).",
)
def prescribe_referral(
    request,
    referral_id: Id,
    response: HttpResponse,
    payload: PrescribeIn | None = None,
    idempotency_key: IdempotencyKey = None,
):
    actor = request.auth
    ensure_can(actor, Capability.PRESCRIBE)

    def act() -> idempotency.Outcome:
        prescription = prescribe(
            actor,
            referral_for(actor, referral_id),
            distinct_person=payload.distinct_person if payload else False,
        )
        return idempotency.Outcome(prescription.pk, 201, _prescription_body(prescription))

    outcome = idempotency.run(
        request,
        operation="prescribe",
        key=idempotency_key,
        payload=payload,
        params={"referral_id": referral_id},
        act=act,
        rebuild=lambda prescription_id: _prescription_body(
            prescription_for(actor, prescription_id)
        ),
    )
    idempotency.mark(response, outcome)
    return Status(outcome.status, outcome.body)


def _prescription_body(prescription) -> dict:
    """The checkbook as it is now, with the codes to print (a replaced pass is left out)."""
    checkbook = prescription.checkbook
    passes = checkbook.passes.exclude(status=PassStatus.CANCELLED).order_by("serial")
    return {
        "prescription_id": prescription.pk,
        "checkbook": {
            "number": checkbook.number,
            "expires_on": checkbook.expires_on,
            "passes": [
                {
                    "serial": p.serial,
                    "code": codes.display(keys.decrypt(p.code_encrypted)),
                    "value_cents": p.value_cents,
                }
                for p in passes
            ],
        },
    }


@router.post(
    "/referrals/{referral_id}/reject",
    response={
        200: ReferralDetail,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: InvalidInputOut,
    },
    summary="Refuser une orientation (Département)",
    exclude_none=True,
)
def reject_referral(request, referral_id: Id, payload: RejectIn):
    actor = request.auth
    ensure_can(actor, Capability.PRESCRIBE)
    reject(actor, referral_for(actor, referral_id), payload.reason)
    return _detail(actor, referral_id)


@router.post(
    "/referrals/{referral_id}/withdraw",
    response={
        200: ReferralDetail,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: InvalidInputOut,
    },
    summary="Retirer une orientation (la structure qui l'a faite)",
    exclude_none=True,
)
def withdraw_referral(request, referral_id: Id, payload: WithdrawIn | None = None):
    actor = request.auth
    ensure_can(actor, Capability.REFER)
    withdraw(actor, referral_for(actor, referral_id), payload.reason if payload else "")
    return _detail(actor, referral_id)


# « Pass non utilisés » ---------------------------------------------------------------------


class FollowUpItem(Schema):
    referral_id: int
    checkbook_number: int
    passes_left: int = Field(ge=1, description="Pass encore utilisables pour une séance.")
    expires_on: datetime.date
    last_reminded_on: datetime.date | None = Field(
        description="Dernier rappel ou relance de la personne (courriel ou lettre), sinon null."
    )
    reason: FollowUpReason


class FollowUpPage(Schema):
    items: list[FollowUpItem]
    count: int


class FollowUpFilters(Pagination):
    # Checked by the selector (French message); the schema states the values.
    reason: str | None = Field(
        default=None,
        description="Motif : `unused_30_days` ou `expiring_soon`.",
        json_schema_extra={"enum": FollowUpReason.values},
    )


class ReminderOut(Schema):
    id: int
    referral_id: int
    checkbook_number: int
    channel: ReminderChannel = Field(
        description="`email` : courriel mis en file ; `letter` : lettre à imprimer (la "
        "personne n'a pas de courriel)."
    )
    reminded_on: datetime.date
    passes_left: int


@router.get(
    "/follow-up",
    response={200: FollowUpPage, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Pass non utilisés : les chéquiers dormants",
    tags=["Suivi des pass"],
    description="Orienteur : les personnes orientées par sa structure ; Département : tout le "
    "programme ; autres rôles : 403. `unused_30_days` : chéquier remis il y a 30 jours ou plus, "
    "aucun pass utilisé ; `expiring_soon` : au moins un pass utilisé, des pass encore "
    "utilisables, moins de 30 jours avant la fin. Les fins les plus proches d'abord.",
)
def follow_up(request, filters: Query[FollowUpFilters]):
    rows = follow_up_for(request.auth, reason=filters.reason)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "items": [
            {
                "referral_id": r.pk,
                "checkbook_number": r.prescription.checkbook.number,
                "passes_left": r.passes_left,
                "expires_on": r.prescription.checkbook.expires_on,
                "last_reminded_on": r.last_reminded_on,
                "reason": r.reason,
            }
            for r in page
        ],
        "count": rows.count(),
    }


@router.post(
    "/referrals/{referral_id}/remind",
    response={
        201: ReminderOut,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: InvalidInputOut,
    },
    summary="Relancer la personne d'une orientation",
    tags=["Suivi des pass"],
    description="Courriel mis en file (envoyé par le processus d'envoi), ou lettre à imprimer "
    "depuis la page « Pass non utilisés » quand la personne n'a pas de courriel. 409 "
    "`nothing_to_remind` (plus aucun pass utilisable, ou pas de chéquier), 409 "
    "`already_reminded_today` (une relance par jour au plus) ; 404 pour l'orientation d'une "
    "autre structure.",
)
def remind_referral(request, referral_id: Id):
    actor = request.auth
    ensure_can(actor, Capability.FOLLOW_UP)
    referral = referral_for(actor, referral_id)
    reminder = remind(actor, referral)
    return Status(
        201,
        {
            "id": reminder.pk,
            "referral_id": referral.pk,
            "checkbook_number": reminder.checkbook.number,
            "channel": reminder.channel,
            "reminded_on": reminder.due_on,
            "passes_left": reminder.passes_left,
        },
    )
