"""« Ma structure » (its members) and « Changer de structure »."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.organisations.middleware import SESSION_KEY
from passnum.organisations.models import Membership
from passnum.organisations.selectors import active_memberships_of, members_of
from passnum.organisations.services import deactivate_membership, reactivate_membership, set_admin

from ..shared.decorators import actor_required
from .forms import ChooseMembershipForm


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
    "deactivate": (deactivate_membership, "{name} n'est plus membre actif."),
    "reactivate": (reactivate_membership, "{name} est de nouveau membre actif."),
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
