"""The outbox over the API, for the operator: the emails of the programme (masked recipients,
no subject nor body) and sending a failed one again."""

import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from passnum.api.schemas import Error, InvalidInputOut, Pagination
from passnum.common.text import mask_email

from .models import EmailKind, EmailStatus
from .selectors import email_for, emails_visible_to
from .services import retry_email

router = Router(tags=["Courriels"])


class EmailItem(Schema):
    id: int
    kind: EmailKind
    kind_label: str
    status: EmailStatus
    recipient: str = Field(description="Adresse masquée (« j•••@exemple.fr »).")
    attempts: int
    last_error: str = Field(description="Dernière erreur d'envoi, sans adresse électronique.")
    created_at: datetime.datetime
    next_attempt_at: datetime.datetime | None = Field(
        description="Prochain essai (courriel en file seulement)."
    )
    sent_at: datetime.datetime | None


class EmailPage(Schema):
    items: list[EmailItem]
    count: int


class EmailFilters(Pagination):
    status: str | None = Field(
        default=None, description=f"Statut : {', '.join(EmailStatus.values)}."
    )


def _item(email) -> dict:
    return {
        "id": email.pk,
        "kind": email.kind,
        "kind_label": email.get_kind_display(),
        "status": email.status,
        "recipient": mask_email(email.recipient),
        "attempts": email.attempts,
        "last_error": email.last_error,
        "created_at": email.created_at,
        "next_attempt_at": email.next_attempt_at,
        "sent_at": email.sent_at,
    }


@router.get(
    "/emails",
    response={200: EmailPage, 401: Error, 403: Error, 422: InvalidInputOut},
    summary="Courriels du programme (pilote)",
    description="Tous les courriels envoyés ou à envoyer pour le programme, du plus récent au "
    "plus ancien : type, statut, essais, dernière erreur, destinataire masqué. Ni objet ni "
    "texte.",
)
def list_emails(request, filters: Query[EmailFilters]):
    emails = emails_visible_to(request.auth, status=filters.status)
    page = emails[filters.offset : filters.offset + filters.limit]
    return {"items": [_item(e) for e in page], "count": emails.count()}


@router.post(
    "/emails/{email_id}/retry",
    response={200: EmailItem, 401: Error, 403: Error, 404: Error, 409: Error},
    summary="Envoyer à nouveau un courriel en échec (pilote)",
    description="Le courriel repasse en file pour un nouvel essai, tout de suite. 409 "
    "`not_failed` (il n'est pas en échec), `secret_erased` (son lien secret a expiré et a été "
    "effacé : la personne doit refaire sa demande).",
)
def retry(request, email_id: int):
    actor = request.auth
    retry_email(actor, email_for(actor, email_id))
    return _item(email_for(actor, email_id))
