from ninja import Router, Schema
from pydantic import Field

from .enums import TIER_OUTSIDE_PRIORITY, Public, Service

router = Router(tags=["Référentiel"])


class PublicItem(Schema):
    code: Public
    label: str
    tier: int = Field(ge=1, le=TIER_OUTSIDE_PRIORITY, description="Rang de priorité (1 d'abord).")


class ServiceItem(Schema):
    code: Service
    label: str


class Referential(Schema):
    publics: list[PublicItem]
    services: list[ServiceItem]


@router.get("/referential", response=Referential, summary="Publics prioritaires et services")
def referential(request):
    return {
        "publics": [{"code": p.value, "label": p.label, "tier": p.tier} for p in Public],
        "services": [{"code": s.value, "label": s.label} for s in Service],
    }
