"""The two public pages whose addresses are printed on the checkbook (no login).

« Vérifier mes pass » (``/verifier-mes-pass/``) tells whoever holds a code what its pass is
worth now, and never shows who it belongs to. « Où utiliser mes pass »
(``/ou-utiliser-mes-pass/``) lists the accredited places nearest to a commune.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from passnum.common.clients import client_ip
from passnum.common.exceptions import TooManyRequests
from passnum.common.formats import kilometres
from passnum.common.ids import typed_id
from passnum.passes import codes
from passnum.passes.exceptions import UnknownCode
from passnum.passes.holder import pass_state
from passnum.passes.lookup import MAX_FAILURES, find_pass_anywhere
from passnum.paths.models import Path
from passnum.programmes.models import Programme
from passnum.programmes.selectors import programme_for
from passnum.providers.selectors import nearest_places
from passnum.referential.enums import Service

from .forms import CheckPassForm, WhereForm

PLACES_SHOWN = 20

UNKNOWN_CODE_HINT = (
    "Vérifiez chaque caractère du code imprimé sur le pass ; en cas de doute, adressez-vous "
    "à la structure qui vous a orienté."
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_passes(request):
    """« Vérifier mes pass »: a code → its pass's status and what is left in its checkbook."""
    form = CheckPassForm(request.POST if request.method == "POST" else None)
    state, throttled, status = None, "", 200
    if form.is_bound and form.is_valid():
        try:
            pass_ = find_pass_anywhere(
                form.cleaned_data["code"], limits={f"ip:{client_ip(request)}": MAX_FAILURES}
            )
        except codes.MalformedCode as exc:
            form.add_error("code", exc.message)
        except UnknownCode as exc:
            form.add_error("code", f"{exc.message} {UNKNOWN_CODE_HINT}")
        except TooManyRequests as exc:
            throttled, status = exc.message, 429
        else:
            state = pass_state(pass_, timezone.localdate())
    return render(
        request,
        "www/public/check_passes.html",
        {
            "title": "Vérifier mes pass",
            "form": form,
            "state": state,
            "throttled": throttled,
        },
        status=status,
    )


def phone_link(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def path_of(programme, value: str):
    """The active path of the programme numbered ``value``; an unknown one, or anything that is
    not an id, is ignored."""
    path_id = typed_id(value)
    if path_id is None:
        return None
    return Path.objects.filter(programme=programme, pk=path_id, is_active=True).first()


@require_safe
def where(request):
    """« Où utiliser mes pass »: the accredited places nearest to a commune (GET form)."""
    programmes = list(Programme.objects.all())
    department_codes = sorted({p.territory_code for p in programmes})
    # ``parcours`` (a path's number) is part of the stable public address.
    submitted = "commune" in request.GET
    form = WhereForm(
        request.GET if submitted else None,
        department_codes=department_codes,
        initial={"service": request.GET.get("service", "")},
    )
    commune, service, places, path = None, None, [], None
    if submitted and form.is_valid():
        commune = form.cleaned_data["commune"]
        service = form.cleaned_data["service"] or None
        programme = programme_for(commune, programmes)
        if programme is not None:
            path = path_of(programme, request.GET.get("parcours", ""))
            places = [
                {
                    "place": nearby.place,
                    "distance": kilometres(nearby.distance_km),
                    "services": nearby.place.service_labels,
                    "phone_link": phone_link(nearby.place.phone) if nearby.place.phone else "",
                }
                for nearby in nearest_places(
                    programme, commune, [service] if service else [], limit=PLACES_SHOWN, path=path
                )
            ]
    return render(
        request,
        "www/public/where.html",
        {
            "title": "Où utiliser mes pass",
            "form": form,
            "commune": commune,
            "service_label": Service(service).label if service else "",
            "path": path,
            "places": places,
        },
    )
