"""Checkbook pages of the Département: the accessible HTML checkbook, its PDF, lost passes.

Both documents show the pass codes again: each showing is journalled (``record_printing``) and
never cached.
"""

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.common.formats import kilometres
from passnum.passes.documents import checkbook_document, checkbook_for
from passnum.passes.enums import PassStatus
from passnum.passes.services import cancel_and_replace, record_printing
from passnum.referential.enums import Service

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, or_404
from .forms import LostPassesForm


def checkbook_or_404(actor, checkbook_id):
    return or_404(checkbook_for, actor, checkbook_id)


def qr_svg(code: str) -> str:
    """The pass code as an inline SVG QR code (a full QR code: phones do not read micro ones)."""
    return mark_safe(segno.make(code, error="m", micro=False).svg_inline(scale=4))


def all_passes(checkbook):
    return list(checkbook.passes.select_related("replaces").order_by("serial"))


def render_checkbook(request, checkbook, passes, form):
    """The printed checkbook as a page; showing its codes is journalled."""
    document = checkbook_document(checkbook)
    record_printing(request.actor, checkbook, "html")
    return render(
        request,
        "www/checkbooks/detail.html",
        {
            "title": f"Chéquier n° {checkbook.number}",
            "checkbook": checkbook,
            "document": document,
            "printed_passes": [(p, qr_svg(p.code)) for p in document.passes],
            "places": [
                {
                    "place": nearby.place,
                    "distance": kilometres(nearby.distance_km),
                    "services": [Service(code).label for code in nearby.matching_services]
                    or nearby.place.service_labels,
                }
                for nearby in document.places
            ],
            "passes": passes,
            "form": form,
        },
    )


def unused_serials(passes) -> list[str]:
    return [p.serial for p in passes if p.status == PassStatus.ASSIGNED]


@never_cache
@actor_required
def checkbook_detail(request, checkbook_id):
    checkbook = checkbook_or_404(request.actor, checkbook_id)
    passes = all_passes(checkbook)
    form = LostPassesForm(unused_serials=unused_serials(passes))
    return render_checkbook(request, checkbook, passes, form)


@require_POST
@never_cache
@actor_required
def checkbook_replace(request, checkbook_id):
    actor = request.actor
    checkbook = checkbook_or_404(actor, checkbook_id)
    passes = all_passes(checkbook)
    form = LostPassesForm(request.POST, unused_serials=unused_serials(passes))
    if form.is_valid():
        try:
            replacements = cancel_and_replace(
                actor, checkbook, form.cleaned_data["serials"], form.cleaned_data["reason"]
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            pairs = " ; ".join(f"{new.replaces.serial} par {new.serial}" for new in replacements)
            messages.success(
                request,
                f"Pass annulés et remplacés ({len(replacements)}) : {pairs}. Les pass annulés "
                "ne peuvent plus être encaissés ; remettez les nouveaux pass à la personne.",
            )
            return redirect("www:checkbook", checkbook.pk)
    return render_checkbook(request, checkbook, passes, form)


@never_cache
@actor_required
def checkbook_pdf(request, checkbook_id):
    from passnum.passes.pdf import render_checkbook_pdf

    actor = request.actor
    checkbook = checkbook_or_404(actor, checkbook_id)
    content = render_checkbook_pdf(checkbook_document(checkbook))
    record_printing(actor, checkbook, "pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="cheque-pass-numerique-{checkbook.number}.pdf"'
    )
    return response
