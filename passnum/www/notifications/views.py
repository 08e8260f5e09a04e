"""« Courriels »: the operator follows the sending of the programme's emails (counts by
status, the queued and failed ones) and sends a failed one again. No personal data: the
recipients are masked, subjects and bodies are not shown."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.common.text import mask_email
from passnum.notifications.delivery import MAX_ATTEMPTS
from passnum.notifications.models import EmailStatus
from passnum.notifications.selectors import counts_by_status, email_for, emails_to_watch
from passnum.notifications.services import retry_email
from passnum.organisations.permissions import Capability, ensure_can

from ..shared.decorators import actor_required
from ..shared.errors import or_404
from ..shared.pagination import page_of


@actor_required
def email_list(request):
    actor = request.actor
    ensure_can(actor, Capability.MONITOR_EMAILS)
    counts = counts_by_status(actor)
    page, pagination = page_of(request, emails_to_watch(actor))
    rows = [{"email": email, "recipient": mask_email(email.recipient)} for email in page]
    return render(
        request,
        "www/notifications/list.html",
        {
            "title": "Courriels",
            "counts": [(EmailStatus(s).label, s, n) for s, n in counts.items()],
            "page": page,
            "pagination": pagination,
            "rows": rows,
            "max_attempts": MAX_ATTEMPTS,
        },
    )


@require_POST
@actor_required
def email_retry(request, email_id):
    actor = request.actor
    ensure_can(actor, Capability.MONITOR_EMAILS)
    email = or_404(email_for, actor, email_id)
    try:
        retry_email(actor, email)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Courriel n° {email.pk} ({email.get_kind_display().lower()}) remis en file : "
            "le processus d'envoi va l'essayer de nouveau.",
        )
    return redirect("www:emails")
