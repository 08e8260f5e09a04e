"""Reading the ledger for reports: the reporting database, the usage rate, the misuse signal,
the export files made in the background. The indicators themselves are ``indicators.py``."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from passnum.common.exceptions import NotAllowed, NotFound
from passnum.common.ids import typed_id
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.redemptions.models import Redemption

from .exports import ensure_can_export, exports_for
from .models import ExportChunk, ExportFile

# Passes that were given to a person at some point (cancelled ones are left out: their
# replacement takes over).
EVER_ASSIGNED = (PassStatus.ASSIGNED, *CONSUMED, PassStatus.EXPIRED)
RATE_DIGITS = 4


def usage_rate(passes: dict[str, int]) -> float:
    assigned = sum(passes[s] for s in EVER_ASSIGNED)
    if not assigned:
        return 0.0
    return round(sum(passes[s] for s in CONSUMED) / assigned, RATE_DIGITS)


def reporting_database() -> str:
    """The database the reports read: a replica when ``REPORTING_DATABASE_URL`` is set, else the
    main one. Reports read the committed state; a replica's lag shows as figures a few seconds
    old."""
    return settings.PASSNUM_REPORTING_DATABASE


@dataclass(frozen=True)
class SelfReferredRedemptions:
    """What one provider redeemed, and how much of it for people referred by an organisation
    of the programme sharing its SIRET (« a Mission Locale that orients and trains »)."""

    organisation_id: int
    name: str
    siret: str
    self_referred: int
    redeemed: int

    @property
    def share(self) -> float:
        """Self-referred passes over the passes it redeemed, 0..1."""
        return round(self.self_referred / self.redeemed, RATE_DIGITS) if self.redeemed else 0.0


def self_referred_redemptions(programme, *, using=None) -> list[SelfReferredRedemptions]:
    """Per provider that redeemed passes of the programme (live redemptions of passes redeemed
    or reimbursed), how many were for people referred by an organisation of its own SIREN;
    the highest share first (then the most self-referred, the most redeemed). One query."""
    # Same SIREN (the company, the first 9 digits of the SIRET): another establishment of the
    # same organisation counts too.
    provider_siren = Substr("session__organisation__siret", 1, 9)
    referrer_siren = Substr(
        "pass_obj__checkbook__prescription__referral__organisation__siret", 1, 9
    )
    self_referred = Q(Exact(provider_siren, referrer_siren), ~Q(session__organisation__siret=""))
    rows = (
        Redemption.objects.using(using or reporting_database())
        .filter(programme=programme, undone_at__isnull=True, pass_obj__status__in=CONSUMED)
        .order_by()
        .values("session__organisation", "session__organisation__name")
        .annotate(
            siret=F("session__organisation__siret"),
            redeemed=Count("pk"),
            self_referred=Count("pk", filter=self_referred),
        )
    )
    found = [
        SelfReferredRedemptions(
            organisation_id=row["session__organisation"],
            name=row["session__organisation__name"],
            siret=row["siret"],
            self_referred=row["self_referred"],
            redeemed=row["redeemed"],
        )
        for row in rows
    ]
    return sorted(
        found, key=lambda r: (-r.share, -r.self_referred, -r.redeemed, r.name, r.organisation_id)
    )


# --- Export files ---------------------------------------------------------------------------


def export_files_visible_to(actor):
    """The export files of the actor's programme that its role may make (the Département: the
    referrals ones), the most recent first; a role without any export is refused."""
    names = [export.name for export in exports_for(actor)]
    if not names:
        raise NotAllowed("Votre rôle ne donne accès à aucun export.")
    return (
        ExportFile.objects.filter(programme=actor.programme, name__in=names)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


def export_file_for(actor, export_id):
    """One export file of the actor's programme (``NotFound`` otherwise, whoever made it),
    which the actor's role may make (``NotAllowed`` otherwise)."""
    found = typed_id(export_id)
    export = (
        ExportFile.objects.filter(programme=actor.programme, pk=found).first() if found else None
    )
    if export is None:
        raise NotFound("Fichier d'export introuvable.", code="export_not_found")
    ensure_can_export(actor, export.name)
    return export


def export_content(export):
    """The file's content, piece by piece (one query, one piece in memory at a time)."""
    pieces = (
        ExportChunk.objects.filter(export=export)
        .order_by("index")
        .values_list("data", flat=True)
        .iterator(chunk_size=1)
    )
    for piece in pieces:
        yield bytes(piece)
