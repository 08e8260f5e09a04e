"""« Parcours »: the operator defines the training paths of the programme."""

from django.contrib import messages
from django.shortcuts import redirect, render

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.organisations.permissions import Capability, ensure_can
from passnum.paths.selectors import path_for, paths_of
from passnum.paths.services import save_path
from passnum.referential.enums import Service

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, or_404
from .forms import PathForm


@actor_required
def paths(request):
    actor = request.actor
    ensure_can(actor, Capability.MANAGE_FRAMEWORK)
    found = list(paths_of(actor.programme))
    for path in found:
        path.service_labels = [Service(code).label for code in path.services]
    return render(request, "www/paths/list.html", {"title": "Parcours", "paths": found})


def _path_page(request, path=None):
    actor = request.actor
    rows = len(path.modules.all()) if path is not None else 0
    initial = PathForm.initial_of(path) if path is not None else {"is_active": True}
    form = PathForm(request.POST or None, initial=initial, rows=rows)
    modules_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_path(
                actor,
                path,
                name=data["name"],
                description=data["description"],
                services=data["services"],
                target_publics=data["target_publics"],
                modules=form.modules(),
                is_active=data["is_active"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            if exc.extra.get("field") == "modules":
                modules_error = exc.message
                form.add_error(None, exc.message)
            else:
                attach_error(form, exc)
        else:
            messages.success(
                request,
                f"Parcours « {saved.name} » {'créé' if path is None else 'enregistré'} "
                f"({saved.total_hours} h).",
            )
            return redirect("www:paths")
    return render(
        request,
        "www/paths/form.html",
        {
            "title": "Nouveau parcours" if path is None else f"Modifier « {path.name} »",
            "form": form,
            "path": path,
            "modules_error": modules_error,
        },
    )


@actor_required
def path_new(request):
    ensure_can(request.actor, Capability.MANAGE_FRAMEWORK)
    return _path_page(request)


@actor_required
def path_edit(request, path_id):
    ensure_can(request.actor, Capability.MANAGE_FRAMEWORK)
    return _path_page(request, or_404(path_for, request.actor, path_id))
