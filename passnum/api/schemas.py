import re

from ninja import Header, Schema
from pydantic import ConfigDict, Field, field_validator

# Control characters other than tab and line breaks (PostgreSQL refuses NUL in text).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StrictSchema(Schema):
    """Input schema that refuses unknown fields and control characters (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def no_control_characters(cls, value):
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and CONTROL_CHARACTERS.search(t) for t in texts):
            raise ValueError("contient un caractère de contrôle non autorisé")
        return value


class Error(Schema):
    detail: str
    code: str


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(Error):
    errors: list[FieldError]


class InvalidInputOut(Error):
    """A 422: a business rule names its ``field``; a malformed request lists its ``errors``."""

    field: str | None = None
    errors: list[FieldError] | None = None


class Pagination(Schema):
    """``limit`` and ``offset`` of a list answered as ``{items, count}``."""

    limit: int = Field(50, ge=1, le=200, description="Nombre d'éléments (1 à 200).")
    offset: int = Field(0, ge=0, description="Éléments à sauter depuis le début.")


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
