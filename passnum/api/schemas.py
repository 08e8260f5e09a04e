from ninja import Schema
from pydantic import ConfigDict


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
