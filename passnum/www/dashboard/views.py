"""The dashboard of each role, « Indicateurs » and the programme's budget page."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from passnum.common.exceptions import InvalidInput
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.organisations.selectors import active_memberships_of, organisations_of
from passnum.passes.selectors import budget_for
from passnum.programmes.selectors import programme_overview
from passnum.referrals.selectors import referral_counts
from passnum.reporting.indicators import NO_FILTERS, indicators_for
from passnum.reporting.periods import parse_period
from passnum.reporting.selectors import reporting_database
from passnum.reporting.todo import todo_for
from passnum.territories.selectors import communes_of

from ..shared.decorators import actor_required
from ..shared.errors import attach_error
from .figures import dashboard_context, indicators_context
from .forms import IndicatorFilterForm

DASHBOARD_TEMPLATES = {
    OrganisationKind.REFERRER: "www/dashboard/referrer.html",
    OrganisationKind.DEPARTMENT: "www/dashboard/department.html",
    OrganisationKind.PROVIDER: "www/dashboard/provider.html",
    OrganisationKind.OPERATOR: "www/dashboard/operator.html",
    OrganisationKind.FUNDER: "www/dashboard/funder.html",
}


def overview_of(programme):
    """The budget and the funders' shares, read from the reporting database."""
    using = reporting_database()
    return programme_overview(programme, budget_for(programme, using=using), using=using)


def url_or_none(name: str, query: str = "") -> str | None:
    """The address of a page, or None while the page does not exist."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def todo_lines(todo, *, follow_up: bool) -> list[dict]:
    """« À faire »: each count with its sentence and the page where the job is done
    (``follow_up``: the actor reminds people itself)."""
    lines = []

    def add(count, one, many, url):
        if count is not None:
            lines.append({"count": count, "text": one if count <= 1 else many, "url": url})

    add(
        todo.pending_referrals,
        "orientation en attente de décision",
        "orientations en attente de décision",
        reverse("www:queue"),
    )
    add(
        todo.duplicates,
        "orientation en attente est un doublon possible d'une personne enregistrée par une "
        "autre structure",
        "orientations en attente sont des doublons possibles de personnes enregistrées par "
        "une autre structure",
        reverse("www:queue"),
    )
    add(
        todo.draft_statements,
        "relevé de remboursement à vérifier et valider",
        "relevés de remboursement à vérifier et valider",
        reverse("www:statements") + "?status=draft",
    )
    add(
        todo.accreditations,
        "demande d'habilitation à instruire",
        "demandes d'habilitation à instruire",
        reverse("www:providers") + "?status=submitted",
    )
    add(
        todo.failed_emails,
        "courriel en échec",
        "courriels en échec",
        reverse("www:emails"),
    )
    add(
        todo.dormant_checkbooks,
        "personne à relancer : son chéquier dort ou finit bientôt",
        "personnes à relancer : leur chéquier dort ou finit bientôt",
        # The page « Pass non utilisés » of the follow-up (the referrers and the Département
        # remind people there); the operator only watches the count.
        url_or_none("www:follow_up") if follow_up else None,
    )
    return lines


@actor_required
def dashboard(request):
    actor = request.actor
    context = {
        "title": "Tableau de bord",
        "memberships_count": active_memberships_of(actor.user).count(),
    }
    if can(actor, Capability.VIEW_REFERRALS):
        context["referral_counts"] = referral_counts(actor)
    if can(actor, Capability.VIEW_STATS):
        context.update(dashboard_context(indicators_for(actor)))
        todo = todo_for(actor)
        if todo.shown:
            context["todo"] = todo_lines(todo, follow_up=can(actor, Capability.FOLLOW_UP))
    return render(request, DASHBOARD_TEMPLATES[actor.role], context)


@actor_required
def indicators(request):
    """The programme's indicators for a period, a public, a provider, a commune; every chart
    with its table, the map of the communes."""
    actor = request.actor
    ensure_can(actor, Capability.VIEW_STATS)
    programme = actor.programme
    communes = list(communes_of(programme.territory_code))
    form = IndicatorFilterForm(
        request.GET or None,
        providers=organisations_of(programme, OrganisationKind.PROVIDER),
        communes=communes,
    )
    context = {"title": "Indicateurs du programme", "form": form}
    period = None
    if form.is_bound:
        form.is_valid()  # every field checked, the dates too: all the errors at once
        data = form.cleaned_data
        try:
            period = parse_period(data.get("from"), data.get("to"))
        except InvalidInput as exc:
            attach_error(form, exc)
    else:
        period = parse_period(None, None)
    if not form.errors:
        filters = form.filters() if form.is_bound else NO_FILTERS
        context.update(indicators_context(indicators_for(actor, period, filters), communes))
        context["filter_labels"] = form.labels() if form.is_bound else []
    return render(request, "www/dashboard/indicators.html", context)


@actor_required
def programme(request):
    ensure_can(request.actor, Capability.VIEW_STATS)
    return render(
        request,
        "www/programme.html",
        {
            "title": "Programme et budget",
            "overview": overview_of(request.actor.programme),
        },
    )
