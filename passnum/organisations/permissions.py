"""Who may do what. Views and API routes call these; they never test roles themselves."""

import enum

from passnum.common.exceptions import NotAllowed

from .enums import OrganisationKind as Kind


class Capability(enum.Enum):
    REFER = "refer"
    VIEW_REFERRALS = "view_referrals"  # its own organisation's
    VIEW_ALL_REFERRALS = "view_all_referrals"  # every referral and person of the programme
    VIEW_PEOPLE = "view_people"
    PRESCRIBE = "prescribe"
    PRINT_CHECKBOOK = "print_checkbook"
    REPLACE_LOST_PASSES = "replace_lost_passes"
    LOOKUP_PASS = "lookup_pass"
    REDEEM = "redeem"
    DECLARE_OFFER = "declare_offer"
    VIEW_OWN_STATEMENTS = "view_own_statements"
    VIEW_ALL_STATEMENTS = "view_all_statements"
    VIEW_STATS = "view_stats"
    MANAGE_PROGRAMME = "manage_programme"
    MANAGE_FRAMEWORK = "manage_framework"
    ACCREDIT_PROVIDERS = "accredit_providers"
    MANAGE_STATEMENTS = "manage_statements"
    EXPORT = "export"  # every export (passes, sessions, statements, referrals without names)
    EXPORT_REFERRALS = "export_referrals"  # the referrals export (no names)
    VIEW_REPORTS = "view_reports"  # the report for the State co-funder
    FOLLOW_UP = "follow_up"  # dormant passes of the people it may see, and reminders
    VIEW_MISUSE = "view_misuse"  # misuse signals (self-referred redemptions, bursts)
    MONITOR_EMAILS = "monitor_emails"


CAPABILITIES: dict[Kind, frozenset[Capability]] = {
    Kind.REFERRER: frozenset(
        {
            Capability.REFER,
            Capability.VIEW_REFERRALS,
            Capability.VIEW_PEOPLE,
            Capability.FOLLOW_UP,
        }
    ),
    Kind.DEPARTMENT: frozenset(
        {
            Capability.REFER,
            Capability.VIEW_REFERRALS,
            Capability.VIEW_ALL_REFERRALS,
            Capability.VIEW_PEOPLE,
            Capability.PRESCRIBE,
            Capability.PRINT_CHECKBOOK,
            Capability.REPLACE_LOST_PASSES,
            Capability.LOOKUP_PASS,
            Capability.VIEW_STATS,
            Capability.EXPORT_REFERRALS,
            Capability.FOLLOW_UP,
        }
    ),
    Kind.PROVIDER: frozenset(
        {
            Capability.LOOKUP_PASS,
            Capability.REDEEM,
            Capability.DECLARE_OFFER,
            Capability.VIEW_OWN_STATEMENTS,
        }
    ),
    # The operator steers from aggregates: no person-level record (no referral, no pass lookup).
    Kind.OPERATOR: frozenset(
        {
            Capability.VIEW_STATS,
            Capability.VIEW_OWN_STATEMENTS,
            Capability.VIEW_ALL_STATEMENTS,
            Capability.MANAGE_PROGRAMME,
            Capability.MANAGE_FRAMEWORK,
            Capability.ACCREDIT_PROVIDERS,
            Capability.MANAGE_STATEMENTS,
            Capability.EXPORT,
            Capability.EXPORT_REFERRALS,
            Capability.VIEW_REPORTS,
            Capability.VIEW_MISUSE,
            Capability.MONITOR_EMAILS,
        }
    ),
    # A co-funder reads the indicators and reports of the programme it funds, nothing else.
    Kind.FUNDER: frozenset({Capability.VIEW_STATS, Capability.VIEW_REPORTS}),
}

REFUSALS = {
    Capability.REFER: "Seuls les orienteurs et le Département peuvent orienter une personne.",
    Capability.PRESCRIBE: "Seul le Département peut prescrire un chéquier.",
    Capability.PRINT_CHECKBOOK: "Seul le Département peut imprimer un chéquier.",
    Capability.LOOKUP_PASS: "Votre rôle ne permet pas de consulter un pass.",
    Capability.VIEW_REFERRALS: "Votre rôle ne donne pas accès aux orientations.",
    Capability.VIEW_ALL_REFERRALS: "Seul le Département voit toutes les orientations.",
    Capability.VIEW_ALL_STATEMENTS: "Seul le pilote voit les relevés de toutes les structures.",
    Capability.VIEW_STATS: "Votre rôle ne donne pas accès aux indicateurs du programme.",
    Capability.REPLACE_LOST_PASSES: "Seul le Département peut annuler et remplacer des pass.",
    Capability.REDEEM: "Seule une structure de médiation numérique peut encaisser des pass.",
    Capability.VIEW_PEOPLE: "Votre rôle ne donne pas accès aux données des personnes.",
    Capability.MANAGE_PROGRAMME: "Seul le pilote peut modifier le programme.",
    Capability.ACCREDIT_PROVIDERS: "Seul le pilote peut habiliter les structures.",
    Capability.MANAGE_STATEMENTS: "Seul le pilote peut valider et payer les relevés.",
    Capability.EXPORT: "Seul le pilote du programme a accès à ces exports.",
    Capability.EXPORT_REFERRALS: "Votre rôle ne donne pas accès à l'export des orientations.",
    Capability.VIEW_REPORTS: "Seuls le pilote et les financeurs ont accès au bilan pour l'État.",
    Capability.FOLLOW_UP: "Votre rôle ne donne pas accès au suivi des pass non utilisés.",
    Capability.VIEW_MISUSE: "Seul le pilote du programme voit ces signalements.",
    Capability.MANAGE_FRAMEWORK: "Seul le pilote peut gérer le référentiel et les parcours.",
    Capability.DECLARE_OFFER: "Seule une structure de médiation numérique déclare son offre.",
    Capability.VIEW_OWN_STATEMENTS: "Votre rôle ne donne pas accès aux relevés.",
    Capability.MONITOR_EMAILS: "Seul le pilote suit l'envoi des courriels.",
}


def can(actor, capability: Capability) -> bool:
    return actor is not None and capability in CAPABILITIES[actor.role]


def ensure_can(actor, capability: Capability, *, programme=None) -> None:
    """Raise ``NotAllowed`` unless the actor's role has the capability within its programme."""
    if actor is None:
        raise NotAllowed("Vous devez être membre actif d'une structure du programme.")
    if capability not in CAPABILITIES[actor.role]:
        raise NotAllowed(REFUSALS.get(capability, NotAllowed.message))
    if programme is not None and programme.pk != actor.programme.pk:
        raise NotAllowed(
            "Cet élément appartient à un autre programme que le vôtre.", code="other_programme"
        )


def ensure_organisation_admin(actor, organisation) -> None:
    if actor is None or actor.organisation.pk != organisation.pk or not actor.is_admin:
        raise NotAllowed("Seul un administrateur de la structure peut gérer ses membres.")
