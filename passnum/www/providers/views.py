"""Providers' pages: « Ma structure habilitée » (accreditation, bank details, places, paths
offered), the operator's « Structures » (decisions, CSV of the accredited places) and
« Parcours ».

The views parse the forms, call the services and selectors, and put the services' French
messages on the field they name, or as an alert.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from schwifty import IBAN

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.organisations.permissions import Capability, ensure_can
from passnum.paths.selectors import offers_by_place, path_for, paths_of
from passnum.paths.services import offer_path, withdraw_path_offer
from passnum.providers.exports import accredited_places_csv
from passnum.providers.models import AccreditationStatus
from passnum.providers.selectors import (
    accreditation_history,
    accreditation_status,
    bank_details_of,
    place_for,
    places_of,
    provider_for,
    providers_of,
)
from passnum.providers.services import (
    DECISIONS,
    SUBMITTABLE,
    decide_accreditation,
    save_bank_details,
    save_place,
    submit_accreditation,
)

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, names_a_field, or_404
from ..shared.pagination import page_of
from .forms import (
    BankDetailsForm,
    DecisionForm,
    OfferForm,
    PlaceForm,
    ProviderFilterForm,
)


def formatted_iban(iban: str) -> str:
    return IBAN(iban).formatted if iban else ""


# « Ma structure habilitée » (the provider)


def render_accreditation(request, *, bank_form=None, offer_forms=None):
    actor = request.actor
    ensure_can(actor, Capability.DECLARE_OFFER)
    organisation = actor.organisation
    status = accreditation_status(organisation)
    bank = bank_details_of(organisation)
    places = list(places_of(organisation))
    offered = offers_by_place(places)
    paths = list(paths_of(actor.programme, active_only=True))
    offer_forms = offer_forms or {}
    rows = []
    for place in places:
        here = offered.get(place.pk, [])
        ids = {p.pk for p in here}
        available = [p for p in paths if p.pk not in ids]
        form = offer_forms.get(place.pk) or OfferForm(
            paths=available, auto_id=f"id_lieu{place.pk}_%s"
        )
        rows.append({"place": place, "paths": here, "offer_form": form, "available": available})
    missing = []
    if not places:
        missing.append("au moins un lieu")
    if bank is None:
        missing.append("les coordonnées bancaires")
    if bank_form is None:
        initial = (
            {
                "account_holder": bank.account_holder,
                "iban": formatted_iban(bank.iban),
                "bic": bank.bic,
            }
            if bank
            else {}
        )
        bank_form = BankDetailsForm(initial=initial)
    return render(
        request,
        "www/providers/accreditation.html",
        {
            "title": "Ma structure habilitée",
            "organisation": organisation,
            "status": status,
            "status_label": AccreditationStatus(status).label,
            "events": accreditation_history(organisation),
            "bank": bank,
            "bank_form": bank_form,
            "rows": rows,
            "missing": missing,
            "can_submit": status in SUBMITTABLE,
        },
    )


@actor_required
def provider_accreditation(request):
    return render_accreditation(request)


@require_POST
@actor_required
def provider_submit(request):
    try:
        submit_accreditation(request.actor)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Votre demande d'habilitation est envoyée : le pilote du programme va l'examiner.",
        )
    return redirect("www:provider_accreditation")


@require_POST
@actor_required
def provider_bank(request):
    form = BankDetailsForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        save_bank_details(
            request.actor,
            account_holder=data.get("account_holder", ""),
            iban=data.get("iban", ""),
            bic=data.get("bic", ""),
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        attach_error(form, exc)
        return render_accreditation(request, bank_form=form)
    messages.success(request, "Coordonnées bancaires enregistrées.")
    return redirect("www:provider_accreditation")


def _place_page(request, place=None):
    actor = request.actor
    ensure_can(actor, Capability.DECLARE_OFFER)
    initial = (
        PlaceForm.initial_of(place) if place is not None and request.method != "POST" else None
    )
    form = PlaceForm(request.POST or None, initial=initial, programme=actor.programme)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = save_place(actor, place, **data)
        except NotAllowed:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(
                request,
                f"Lieu « {saved.name} » {'ajouté' if place is None else 'modifié'}.",
            )
            return redirect("www:provider_accreditation")
    return render(
        request,
        "www/providers/place_form.html",
        {
            "title": "Ajouter un lieu" if place is None else f"Modifier « {place.name} »",
            "form": form,
            "place": place,
        },
    )


@actor_required
def provider_place_new(request):
    return _place_page(request)


@actor_required
def provider_place_edit(request, place_id):
    ensure_can(request.actor, Capability.DECLARE_OFFER)
    return _place_page(request, or_404(place_for, request.actor, place_id))


@require_POST
@actor_required
def provider_place_offer(request, place_id):
    actor = request.actor
    ensure_can(actor, Capability.DECLARE_OFFER)
    place = or_404(place_for, actor, place_id)
    paths = list(paths_of(actor.programme, active_only=True))
    form = OfferForm(request.POST, paths=paths, auto_id=f"id_lieu{place.pk}_%s")
    if form.is_valid():
        path = next(p for p in paths if p.pk == form.cleaned_data["path"])
        try:
            offer_path(actor, path, place)
        except NotAllowed:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, f"« {place.name} » propose désormais « {path.name} ».")
            return redirect("www:provider_accreditation")
    return render_accreditation(request, offer_forms={place.pk: form})


@require_POST
@actor_required
def provider_place_withdraw(request, place_id, path_id):
    actor = request.actor
    ensure_can(actor, Capability.DECLARE_OFFER)
    place = or_404(place_for, actor, place_id)
    path = or_404(path_for, actor, path_id)
    try:
        withdraw_path_offer(actor, path, place)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"« {place.name} » ne propose plus « {path.name} ».")
    return redirect("www:provider_accreditation")


# « Structures » (the operator)


@actor_required
def providers(request):
    actor = request.actor
    ensure_can(actor, Capability.ACCREDIT_PROVIDERS)
    filter_form = ProviderFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    page, pagination = page_of(
        request,
        providers_of(actor.programme, status=status or None),
        extra_query={"status": status},
    )
    for provider in page:  # the page keeps its list of objects
        provider.accreditation_label = AccreditationStatus(provider.accreditation_status).label
    return render(
        request,
        "www/providers/list.html",
        {
            "title": "Structures",
            "filter_form": filter_form,
            "status": status,
            "status_label": AccreditationStatus(status).label.lower() if status else "",
            "page": page,
            "pagination": pagination,
        },
    )


@actor_required
def providers_csv(request):
    actor = request.actor
    ensure_can(actor, Capability.EXPORT)
    response = HttpResponse(
        accredited_places_csv(actor.programme), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="lieux-habilites.csv"'
    return response


def render_provider(request, organisation, *, decision_form=None):
    status = accreditation_status(organisation)
    bank = bank_details_of(organisation)
    places = list(places_of(organisation))
    offered = offers_by_place(places)
    decisions = [after for before, after in DECISIONS if before == status]
    return render(
        request,
        "www/providers/detail.html",
        {
            "title": organisation.name,
            "organisation": organisation,
            "status": status,
            "status_label": AccreditationStatus(status).label,
            "events": accreditation_history(organisation),
            "bank": bank,
            "iban": formatted_iban(bank.iban) if bank else "",
            "places": [(place, offered.get(place.pk, [])) for place in places],
            "decision_form": decision_form or DecisionForm(allowed=decisions),
            "can_decide": bool(decisions),
        },
    )


@actor_required
def provider_detail(request, organisation_id):
    ensure_can(request.actor, Capability.ACCREDIT_PROVIDERS)
    return render_provider(request, or_404(provider_for, request.actor, organisation_id))


@require_POST
@actor_required
def provider_decide(request, organisation_id):
    actor = request.actor
    ensure_can(actor, Capability.ACCREDIT_PROVIDERS)
    organisation = or_404(provider_for, actor, organisation_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        accreditation = decide_accreditation(
            actor, organisation, data.get("decision", ""), data.get("reason", "")
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        if names_a_field(form, exc):
            attach_error(form, exc)
            return render_provider(request, organisation, decision_form=form)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Décision enregistrée : l'habilitation de « {organisation.name} » est "
            f"« {accreditation.get_status_display().lower()} ».",
        )
    return redirect("www:provider_detail", organisation.pk)
