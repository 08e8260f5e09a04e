import re
from typing import Annotated

from ninja import Header, Schema
from pydantic import ConfigDict, Field, field_validator

from passnum.common.ids import MAX_ID

# Control characters other than tab and line breaks (PostgreSQL refuses NUL in text).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The id of a row, in a path or a body: a positive 64-bit integer (beyond, no row has it and
# the database could not compare it).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# The largest ``offset`` of a list: far beyond any list, far below the 64-bit integers of SQL.
MAX_OFFSET = 1_000_000_000


class NoControlCharacters(Schema):
    """Refuses control characters in every text field, alone or in a list (422)."""

    @field_validator("*", mode="after")
    @classmethod
    def no_control_characters(cls, value):
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and CONTROL_CHARACTERS.search(t) for t in texts):
            raise ValueError("contient un caractère de contrôle non autorisé")
        return value


class StrictSchema(NoControlCharacters):
    """Input schema that refuses unknown fields and control characters (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QuerySchema(NoControlCharacters):
    """The parameters of a query string (``Query[…]``), without control characters (422)."""


class Error(Schema):
    detail: str
    code: str


class FieldError(Schema):
    field: str
    message: str


class InvalidInputOut(Error):
    """A 422: a business rule names its ``field``; a malformed request lists its ``errors``;
    a body that is not JSON has neither."""

    field: str | None = None
    errors: list[FieldError] | None = None


# The 422 of a route that only parses: it may also be a body that is not JSON (no ``errors``).
ValidationErrorOut = InvalidInputOut


class Pagination(QuerySchema):
    """``limit`` and ``offset`` of a list answered as ``{items, count}``."""

    limit: int = Field(50, ge=1, le=200, description="Nombre d'éléments (1 à 200).")
    offset: int = Field(
        0,
        ge=0,
        le=MAX_OFFSET,
        description="Éléments à sauter depuis le début (0 à 1 000 000 000).",
    )


class Ref(Schema):
    """Another object named in an answer."""

    id: int
    name: str


# The ``Idempotency-Key`` header of the state-changing operations that take one.
IdempotencyKey = Header[
    str | None,
    {
        "alias": "Idempotency-Key",
        "max_length": 255,
        "description": "Facultatif. Une clé choisie par le client (par exemple un UUID) : la "
        "même clé avec le même corps dans les 24 heures renvoie la première réponse (en-tête "
        "`Idempotent-Replayed: true`) au lieu d'agir deux fois ; avec un autre corps : 422 "
        "`idempotency_key_reused`.",
    },
]
