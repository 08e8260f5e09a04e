from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.middleware import SESSION_KEY
from passnum.organisations.models import Membership
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.organisations.selectors import active_memberships_of, members_of
from passnum.organisations.services import deactivate_membership, reactivate_membership, set_admin
from passnum.passes.selectors import budget_for
from passnum.programmes.selectors import programme_overview
from passnum.referrals.selectors import referral_counts

from .forms import ChooseMembershipForm

DASHBOARD_TEMPLATES = {
    OrganisationKind.REFERRER: "www/dashboard/referrer.html",
    OrganisationKind.DEPARTMENT: "www/dashboard/department.html",
    OrganisationKind.PROVIDER: "www/dashboard/provider.html",
    OrganisationKind.OPERATOR: "www/dashboard/operator.html",
}


def actor_required(view):
    """Logged in and acting through an active membership; otherwise say why."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if request.actor is None:
            return render(
                request,
                "www/no_membership.html",
                {"title": "Aucune structure active"},
                status=403,
            )
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def home(request):
    return render(request, "www/home.html", {"title": "Accueil"})


def privacy(request):
    return render(request, "www/privacy.html", {"title": "Données personnelles"})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@actor_required
def dashboard(request):
    actor = request.actor
    context = {
        "title": "Tableau de bord",
        "memberships_count": active_memberships_of(actor.user).count(),
    }
    if can(actor, Capability.VIEW_REFERRALS):
        context["referral_counts"] = referral_counts(actor)
    if actor.role in (OrganisationKind.DEPARTMENT, OrganisationKind.OPERATOR):
        context["overview"] = programme_overview(actor.programme, budget_for(actor.programme))
    return render(request, DASHBOARD_TEMPLATES[actor.role], context)


@actor_required
def programme(request):
    ensure_can(request.actor, Capability.VIEW_STATS)
    return render(
        request,
        "www/programme.html",
        {
            "title": "Programme et budget",
            "overview": programme_overview(
                request.actor.programme, budget_for(request.actor.programme)
            ),
        },
    )


@login_required
def choose_membership(request):
    memberships = list(active_memberships_of(request.user))
    form = ChooseMembershipForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["membership"]
        chosen = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
        messages.success(request, f"Vous agissez désormais pour « {chosen.organisation.name} ».")
        return redirect("www:dashboard")
    if request.actor is not None and not form.is_bound:
        form.initial["membership"] = request.actor.membership.pk
    return render(
        request,
        "www/choose_membership.html",
        {"title": "Changer de structure", "form": form, "memberships": memberships},
    )


@actor_required
def organisation(request):
    actor = request.actor
    return render(
        request,
        "www/organisation.html",
        {
            "title": "Ma structure",
            "organisation": actor.organisation,
            "members": members_of(actor.organisation),
        },
    )


MEMBER_ACTIONS = {
    "deactivate": (
        lambda actor, m: deactivate_membership(actor, m),
        "{name} n'est plus membre actif.",
    ),
    "reactivate": (
        lambda actor, m: reactivate_membership(actor, m),
        "{name} est de nouveau membre actif.",
    ),
    "make_admin": (
        lambda actor, m: set_admin(actor, m, True),
        "{name} est désormais administrateur.",
    ),
    "remove_admin": (
        lambda actor, m: set_admin(actor, m, False),
        "{name} n'est plus administrateur.",
    ),
}


@require_POST
@actor_required
def member_action(request, membership_id, action):
    if action not in MEMBER_ACTIONS:
        raise PermissionDenied("Action inconnue.")
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=membership_id,
        organisation=request.actor.organisation,
    )
    perform, success = MEMBER_ACTIONS[action]
    try:
        perform(request.actor, membership)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(name=membership.user))
    return redirect("www:organisation")


def permission_denied(request, exception=None):
    message = (
        str(exception) if exception and str(exception) else "Vous n'avez pas accès à cette page."
    )
    return render(request, "403.html", {"title": "Accès refusé", "message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"title": "Page introuvable"}, status=404)


def server_error(request):
    return render(request, "500.html", {"title": "Erreur du serveur"}, status=500)
