"""« Exports »: the operator (every export) and the Département (the referrals) download the
programme's exports. A small one is sent at once; a large one is made in the background by
``passnum worker`` and offered on this page when ready (its progress shown meanwhile)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.common.formats import file_size
from passnum.common.templatetags.passnum import format_thousands
from passnum.reporting.downloads import stored_export, stream_export
from passnum.reporting.enums import IN_PROGRESS, ExportStatus
from passnum.reporting.exports import EXPORTS, ensure_can_export, exports_for
from passnum.reporting.periods import parse_period
from passnum.reporting.selectors import export_file_for, export_files_visible_to
from passnum.reporting.services import request_export

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, or_404
from ..shared.pagination import page_of
from .forms import ExportForm


def _rows(page) -> list[dict]:
    return [
        {
            "file": export,
            "label": EXPORTS[export.name].label,
            "size": file_size(export.size_bytes),
            "in_progress": export.status in IN_PROGRESS,
        }
        for export in page
    ]


def _render(request, form):
    actor = request.actor
    files = export_files_visible_to(actor)
    page, pagination = page_of(request, files)
    rows = _rows(page)
    return render(
        request,
        "www/exports/page.html",
        {
            "title": "Exports",
            "form": form,
            "exports": exports_for(actor),
            "direct_max_rows": settings.PASSNUM_EXPORT_DIRECT_MAX_ROWS,
            "retention_days": settings.PASSNUM_EXPORT_RETENTION_DAYS,
            "page": page,
            "pagination": pagination,
            "rows": rows,
            "in_progress": any(row["in_progress"] for row in rows),
        },
    )


@actor_required
def exports_page(request):
    actor = request.actor
    exports = exports_for(actor)
    if not exports:
        raise NotAllowed("Votre rôle ne donne accès à aucun export.")
    if request.method != "POST":
        return _render(request, ExportForm(exports=exports))
    form = ExportForm(request.POST, exports=exports)
    if not form.is_valid():
        return _render(request, form)
    try:
        export = ensure_can_export(actor, form.cleaned_data["name"])
        period = parse_period(form.cleaned_data["from"], form.cleaned_data["to"])
    except NotAllowed:
        raise
    except DomainError as exc:
        attach_error(form, exc)
        return _render(request, form)
    fmt = form.cleaned_data["format"]
    rows = export.count(actor.programme, period)
    if rows <= settings.PASSNUM_EXPORT_DIRECT_MAX_ROWS[fmt]:
        return stream_export(actor, export, fmt, period)
    made = request_export(actor, export.name, fmt, period)
    messages.success(
        request,
        f"Export n° {made.pk} en préparation ({format_thousands(rows)} lignes) : il sera proposé "
        "au téléchargement ci-dessous dès qu'il sera prêt.",
    )
    return redirect("www:exports")


@actor_required
def export_download(request, export_id):
    """A file made in the background; the right to it is checked again (another programme's
    file: 404)."""
    export = or_404(export_file_for, request.actor, export_id)
    if export.status != ExportStatus.DONE:
        raise Http404("Ce fichier d'export n'est pas prêt.")
    return stored_export(export)
