"""The API v1: every domain's router, assembled above the domains and the API kit."""

from django.http import JsonResponse
from ninja.renderers import JSONRenderer

from passnum.accounts.api import router as accounts_router
from passnum.accounts.services import actor_for_token
from passnum.api import errors
from passnum.api.auth import BearerToken
from passnum.api.base import API
from passnum.notifications.api import router as notifications_router
from passnum.passes.api import router as passes_router
from passnum.programmes.api import router as programmes_router
from passnum.redemptions.api import router as redemptions_router
from passnum.referential.api import router as referential_router
from passnum.referrals.api import router as referrals_router
from passnum.reporting.api import router as reporting_router
from passnum.reporting.exports_api import router as exports_router
from passnum.statements.api import router as statements_router


class FrenchJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = API(
    renderer=FrenchJSONRenderer(),
    title="passnum — API",
    version="1",
    description=(
        "API du Pass numérique. Authentification : `POST /api/v1/auth/token` puis en-tête "
        '`Authorization: Bearer <jeton>`. Erreurs : `{"detail", "code"}`.'
    ),
    auth=BearerToken(resolve=actor_for_token),
    urls_namespace="api",
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", referential_router)
api.add_router("", redemptions_router)
api.add_router("", statements_router)
api.add_router("", referrals_router)
api.add_router("", passes_router)
api.add_router("", reporting_router)
api.add_router("", exports_router)
api.add_router("", notifications_router)
api.add_router("", programmes_router)


def unknown_endpoint(request, rest=""):
    return JsonResponse(
        errors.error_body("Point d'accès inconnu : consultez /api/v1/docs.", "not_found"),
        status=404,
    )
