"""The project's ``NinjaAPI``: JSON bodies only, and an OpenAPI schema that states every status
an operation can answer."""

from ninja import NinjaAPI

from . import openapi
from .parser import JSONBodyParser


class API(NinjaAPI):
    def __init__(self, **kwargs):
        kwargs.setdefault("parser", JSONBodyParser())
        super().__init__(**kwargs)

    def get_openapi_schema(self, **kwargs):
        return openapi.complete(super().get_openapi_schema(**kwargs))
