"""« Bilan pour l'État »: the report for the State co-funder, one year of the programme or the
whole of it, read on the page and downloaded as PDF or XLSX (the operator and the funders)."""

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from passnum.common.exceptions import InvalidInput
from passnum.organisations.permissions import Capability, ensure_can
from passnum.reporting.report_documents import renderer_for
from passnum.reporting.state_report import FINAL, display, report_years, state_report_for

from ..shared.decorators import actor_required


def _choices(programme, today) -> list[tuple[str, str]]:
    years = [(str(year), f"Année {year}") for year in reversed(report_years(programme, today))]
    return [*years, (FINAL, "Bilan final (programme entier)")]


def _page(request, selected, *, error="", report=None, status=200):
    sections = [
        {
            "section": section,
            "head": list(zip(section.columns, section.figure_columns, strict=True)),
            "rows": [
                list(zip([display(cell) for cell in row], section.figure_columns, strict=True))
                for row in section.rows
            ],
        }
        for section in (report.sections if report else [])
    ]
    return render(
        request,
        "www/state_report/report.html",
        {
            "title": "Bilan pour l'État",
            "choices": _choices(request.actor.programme, timezone.localdate()),
            "selected": selected,
            "error": error,
            "report": report,
            "sections": sections,
        },
        status=status,
    )


@actor_required
def state_report(request):
    actor = request.actor
    ensure_can(actor, Capability.VIEW_REPORTS)
    years = report_years(actor.programme, timezone.localdate())
    selected = request.GET.get("annee") or (str(years[-1]) if years else FINAL)
    try:
        report = state_report_for(actor, selected)
    except InvalidInput as exc:
        return _page(request, selected, error=exc.message, status=422)
    return _page(request, selected, report=report)


@actor_required
def download(request):
    actor = request.actor
    ensure_can(actor, Capability.VIEW_REPORTS)
    selected = request.GET.get("annee", "")
    try:
        extension, write, content_type = renderer_for(request.GET.get("format"))
        report = state_report_for(actor, selected)
    except InvalidInput as exc:
        return _page(request, selected, error=exc.message, status=422)
    out = io.BytesIO()
    write(report, out)
    response = HttpResponse(out.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(extension)}"'
    return response
