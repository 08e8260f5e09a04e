"""Checking a pass from its code over the API: what the pass shows, nothing of the person.

The code is a secret: it travels in the body of a POST, never in the address, which access logs
and proxies keep.
"""

import datetime

from ninja import Router, Schema
from pydantic import Field

from passnum.api.schemas import Error, InvalidInputOut, StrictSchema

from .enums import PassStatus
from .lookup import lookup_pass

router = Router(tags=["Pass"])

CODE_MAX_LENGTH = 40


class LookupIn(StrictSchema):
    code: str = Field(
        max_length=CODE_MAX_LENGTH,
        description="Le code imprimé sur le pass (12 caractères, ex. K7QM-9T2D-XH47), tel que "
        "saisi : sans tenir compte de la casse, des espaces, des tirets, ni des confusions O/0 "
        "et I/L/1.",
    )


class PassOut(Schema):
    serial: str
    status: PassStatus
    expires_on: datetime.date | None = Field(description="Vide tant que le pass est en stock.")
    value_cents: int


@router.post(
    "/passes/lookup",
    response={200: PassOut, 401: Error, 403: Error, 404: Error, 422: InvalidInputOut, 429: Error},
    summary="Consulter un pass par son code",
    description=(
        "Le code est envoyé dans le corps, jamais dans l'adresse. 422 `malformed_code` "
        "(refusé par le symbole de contrôle, sans recherche), 404 `unknown_code` (aussi pour "
        "un pass d'un autre programme), 429 `throttled` après trop de codes erronés (20 par "
        "membre, 60 par structure en 15 minutes). Ne change rien : consulter n'est pas "
        "encaisser."
    ),
)
def lookup(request, payload: LookupIn):
    pass_ = lookup_pass(request.auth, payload.code)
    return {
        "serial": pass_.serial,
        "status": pass_.status,
        "expires_on": pass_.expires_on,
        "value_cents": pass_.value_cents,
    }
