from ninja import Router, Schema
from pydantic import Field

from passnum.api.schemas import Error, StrictSchema, ValidationErrorOut

from .services import issue_token

router = Router(tags=["Authentification"])


class TokenIn(StrictSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    organisation_id: int | None = Field(
        default=None, description="Structure au nom de laquelle agir (sinon la première)."
    )


class TokenOut(Schema):
    token: str
    expires_at: str


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


class ProgrammeOut(Schema):
    id: int
    name: str
    territory_code: str


class MeOut(Schema):
    username: str
    role: str
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
