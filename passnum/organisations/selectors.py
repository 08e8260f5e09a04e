from .exceptions import NoActiveMembership
from .models import Membership, Organisation


def active_memberships_of(user):
    return Membership.objects.of_user(user).active().order_by("joined_at", "pk")


def current_membership(user, membership_id=None) -> Membership:
    """The membership the user acts through: the chosen one if still active, else the first."""
    memberships = active_memberships_of(user)
    if membership_id is not None:
        chosen = memberships.filter(pk=membership_id).first()
        if chosen is not None:
            return chosen
    first = memberships.first()
    if first is None:
        raise NoActiveMembership
    return first


def members_of(organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "updated_by")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )


def organisations_of(programme, kind: str):
    """The organisations of a kind in the programme, by name (for a filter's choices)."""
    return Organisation.objects.filter(programme=programme, kind=kind).order_by("name", "pk")
