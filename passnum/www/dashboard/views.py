"""The dashboard of each role and the programme's budget page."""

from django.shortcuts import render

from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.organisations.selectors import active_memberships_of
from passnum.passes.selectors import budget_for
from passnum.programmes.selectors import programme_overview
from passnum.referrals.selectors import referral_counts
from passnum.reporting.selectors import reporting_database

from ..shared.decorators import actor_required

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
        context["overview"] = overview_of(actor.programme)
    return render(request, DASHBOARD_TEMPLATES[actor.role], context)


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
