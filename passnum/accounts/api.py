import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from passnum.api.schemas import (
    Error,
    Id,
    InvalidInputOut,
    Pagination,
    StrictSchema,
    ValidationErrorOut,
)
from passnum.organisations.enums import OrganisationKind

from .selectors import live_tokens_of
from .services import issue_token, revoke_token

router = Router(tags=["Authentification"])


class TokenIn(StrictSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    organisation_id: Id | None = Field(
        default=None, description="Structure au nom de laquelle agir (sinon la première)."
    )


class TokenOut(Schema):
    token: str
    expires_at: str


class TokenOrganisation(Schema):
    id: int
    name: str


class ApiTokenOut(Schema):
    id: int
    organisation: TokenOrganisation = Field(description="Structure au nom de laquelle il agit.")
    created_at: datetime.datetime
    expires_at: datetime.datetime
    revoked_at: datetime.datetime | None = Field(description="Révocation (null s'il est actif).")
    current: bool = Field(description="Jeton de cette requête.")


class ApiTokenPage(Schema):
    items: list[ApiTokenOut]
    count: int


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind


class ProgrammeOut(Schema):
    id: int
    name: str
    territory_code: str


class MeOut(Schema):
    username: str
    role: OrganisationKind
    is_admin: bool
    organisation: OrganisationOut
    programme: ProgrammeOut


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: Error, 404: Error, 422: ValidationErrorOut, 429: Error},
    summary="Obtenir un jeton d'accès",
)
def token(request, payload: TokenIn):
    key, api_token = issue_token(
        request, payload.username, payload.password, payload.organisation_id
    )
    return {"token": key, "expires_at": api_token.expires_at.isoformat()}


@router.get("/me", response={200: MeOut, 401: Error}, summary="Qui suis-je ?")
def me(request):
    actor = request.actor
    return {
        "username": actor.user.username,
        "role": actor.role.value,
        "is_admin": actor.is_admin,
        "organisation": {
            "id": actor.organisation.pk,
            "name": actor.organisation.name,
            "kind": actor.organisation.kind,
        },
        "programme": {
            "id": actor.programme.pk,
            "name": actor.programme.name,
            "territory_code": actor.programme.territory_code,
        },
    }


def _token(token, actor) -> dict:
    organisation = token.membership.organisation
    return {
        "id": token.pk,
        "organisation": {"id": organisation.pk, "name": organisation.name},
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "current": token.pk == actor.token_id,
    }


@router.post(
    "/auth/revoke",
    response={200: ApiTokenOut, 401: Error},
    summary="Révoquer le jeton de cette requête",
    description="Le jeton est révoqué définitivement (déconnexion d'un logiciel) ; "
    "les requêtes suivantes avec lui reçoivent 401.",
)
def revoke_current(request):
    actor = request.auth
    return _token(revoke_token(actor.user, actor.token_id), actor)


@router.get(
    "/auth/tokens",
    response={200: ApiTokenPage, 401: Error, 422: InvalidInputOut},
    summary="Mes jetons actifs",
    description="Les jetons de l'utilisateur (toutes ses structures) ni révoqués ni expirés, "
    "du plus récent au plus ancien ; jamais ceux d'une autre personne.",
)
def list_tokens(request, page: Query[Pagination]):
    actor = request.auth
    tokens = live_tokens_of(actor.user)
    items = tokens[page.offset : page.offset + page.limit]
    return {"items": [_token(t, actor) for t in items], "count": tokens.count()}


@router.post(
    "/auth/tokens/{token_id}/revoke",
    response={200: ApiTokenOut, 401: Error, 404: Error, 422: InvalidInputOut},
    summary="Révoquer l'un de mes jetons",
    description="Révoque définitivement l'un des jetons de l'utilisateur ; le révoquer à "
    "nouveau ne change rien. 404 `token_not_found` pour le jeton d'une autre personne.",
)
def revoke_one(request, token_id: int):
    actor = request.auth
    return _token(revoke_token(actor.user, token_id), actor)
