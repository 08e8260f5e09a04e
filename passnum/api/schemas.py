from ninja import Schema
from pydantic import ConfigDict, Field


class StrictSchema(Schema):
    """Input schema that refuses unknown fields (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
