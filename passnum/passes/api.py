"""Checking a pass from its code over the API: what the pass shows, nothing of the person."""

import datetime

from ninja import Router, Schema
from pydantic import Field

from passnum.api.schemas import Error, InvalidInputOut

from .enums import PassStatus
from .lookup import lookup_pass

router = Router(tags=["Pass"])


class PassOut(Schema):
    serial: str
    status: PassStatus
    expires_on: datetime.date | None = Field(description="Vide tant que le pass est en stock.")
    value_cents: int


@router.get(
    "/passes/{code}",
    response={200: PassOut, 401: Error, 403: Error, 404: Error, 422: InvalidInputOut, 429: Error},
    summary="Consulter un pass par son code",
    description=(
        "Le code se saisit sans tenir compte de la casse, des espaces, des tirets, ni des "
        "confusions O/0 et I/L/1. 422 `malformed_code` (caractère de contrôle faux), "
        "404 `unknown_code`, 429 après trop de codes erronés."
    ),
)
def pass_by_code(request, code: str):
    pass_ = lookup_pass(request.auth, code)
    return {
        "serial": pass_.serial,
        "status": pass_.status,
        "expires_on": pass_.expires_on,
        "value_cents": pass_.value_cents,
    }
