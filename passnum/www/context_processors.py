from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import Capability, can


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation(request) -> list[NavItem]:
    actor = getattr(request, "actor", None)
    items = [("Accueil", reverse("www:home"))]
    if actor is not None:
        items.append(("Tableau de bord", reverse("www:dashboard")))
        if can(actor, Capability.PRESCRIBE):
            items.append(("File d'attente", reverse("www:queue")))
        if can(actor, Capability.REFER):
            items.append(("Orienter une personne", reverse("www:referral_new")))
        if can(actor, Capability.VIEW_REFERRALS):
            items.append(("Orientations", reverse("www:referrals")))
        if can(actor, Capability.FOLLOW_UP):
            items.append(("Pass non utilisés", reverse("www:follow_up")))
        if can(actor, Capability.REDEEM):
            items.append(("Encaisser des pass", reverse("www:redeem")))
            items.append(("Mes séances", reverse("www:sessions")))
        if can(actor, Capability.VIEW_STATS):
            items.append(("Indicateurs", reverse("www:indicators")))
            items.append(("Programme et budget", reverse("www:programme")))
        if can(actor, Capability.ACCREDIT_PROVIDERS):
            items.append(("Structures", reverse("www:providers")))
        if can(actor, Capability.MANAGE_FRAMEWORK):
            items.append(("Parcours", reverse("www:paths")))
        if can(actor, Capability.VIEW_OWN_STATEMENTS):
            label = "Relevés" if can(actor, Capability.MANAGE_STATEMENTS) else "Mes relevés"
            items.append((label, reverse("www:statements")))
        if can(actor, Capability.VIEW_REPORTS):
            items.append(("Bilan pour l'État", reverse("www:state_report")))
        if can(actor, Capability.VIEW_MISUSE):
            items.append(("Signalements", reverse("www:misuse")))
        if can(actor, Capability.EXPORT) or can(actor, Capability.EXPORT_REFERRALS):
            items.append(("Exports", reverse("www:exports")))
        if can(actor, Capability.MONITOR_EMAILS):
            items.append(("Courriels", reverse("www:emails")))
        if can(actor, Capability.DECLARE_OFFER):
            items.append(("Habilitation et lieux", reverse("www:provider_accreditation")))
        items.append(("Ma structure", reverse("www:organisation")))
    else:
        # The public pages printed on the checkbook (also linked from the home page).
        items.append(("Où utiliser mes pass", reverse("www:where")))
        items.append(("Vérifier mes pass", reverse("www:check_passes")))
        items.append(("Données personnelles", reverse("www:privacy")))
        items.append(("Données ouvertes", reverse("www:open_data")))
    exact_only = {reverse("www:home"), reverse("www:dashboard")}
    path = request.path
    # The current page is the item of the longest address that contains it (« Orientations »
    # for a referral, « Orienter une personne » for the form below the same address).
    matching = [
        url for _, url in items if path == url or (url not in exact_only and path.startswith(url))
    ]
    current = max(matching, key=len, default=None)
    return [NavItem(label, url, url == current) for label, url in items]


def site(request):
    actor = getattr(request, "actor", None)
    return {
        "site_title": settings.PASSNUM_SITE_TITLE,
        "site_tagline": (
            actor.programme.name if actor is not None else settings.PASSNUM_SITE_TAGLINE
        ),
        "nav_items": navigation(request),
        "actor": actor,
        "role_label": OrganisationKind(actor.role).label if actor is not None else "",
    }
