from ninja import Router, Schema

from .enums import Public, Service

router = Router(tags=["Référentiel"])


class VocabularyItem(Schema):
    code: str
    label: str


class PublicItem(VocabularyItem):
    tier: int


class Referential(Schema):
    publics: list[PublicItem]
    services: list[VocabularyItem]


@router.get("/referential", response=Referential, summary="Publics prioritaires et services")
def referential(request):
    return {
        "publics": [{"code": p.value, "label": p.label, "tier": p.tier} for p in Public],
        "services": [{"code": s.value, "label": s.label} for s in Service],
    }
