"""Sessions held by providers and the passes redeemed for them (encaissement)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passnum.journal.models import SubjectType, journal_subject


class PlaceType(models.TextChoices):
    OWN_SITE = "own_site", "Dans les locaux de la structure"
    HOME = "home", "Au domicile de la personne"
    REMOTE = "remote", "À distance"


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individuel"
    COLLECTIVE = "collective", "Collectif"


@journal_subject(SubjectType.SESSION)
class Session(models.Model):
    """A training session (séance / atelier), shaped like La Coop de la médiation numérique's
    activity record: date, duration in minutes, kind, place type, themes."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="sessions"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name="structure",
    )
    place = models.ForeignKey(
        "providers.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="lieu",
        db_index=False,  # never queried by place: one index less for each redemption to update
    )
    date = models.DateField("date de la séance")
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)")
    path = models.ForeignKey(
        "paths.Path",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="parcours",
        db_index=False,
    )
    services = models.JSONField("services", default=list)
    place_type = models.CharField("lieu de la séance", max_length=20, choices=PlaceType.choices)
    kind = models.CharField(
        "type", max_length=20, choices=SessionKind.choices, default=SessionKind.INDIVIDUAL
    )
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "séance"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="session_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(place_type__in=PlaceType.values), name="session_place_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SessionKind.values), name="session_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_by__isnull=False),
                name="session_undo_signed",
            ),
        ]

    def __str__(self):
        return f"Séance n° {self.pk} du {self.date:%d/%m/%Y}"


class Redemption(models.Model):
    """One pass given for one hour of a session."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="redemptions"
    )
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="redemptions")
    pass_obj = models.ForeignKey(
        "passes.Pass",
        on_delete=models.PROTECT,
        related_name="redemptions",
        db_column="pass_id",
        verbose_name="pass",
    )
    redeemed_at = models.DateTimeField("encaissé le", auto_now_add=True)
    undone_at = models.DateTimeField("annulé le", null=True, blank=True)
    statement = models.ForeignKey(
        "statements.Statement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemptions",
        verbose_name="relevé",
    )

    class Meta:
        verbose_name = "encaissement"
        ordering = ["pk"]
        constraints = [
            # A pass is redeemed once: the database refuses a second live redemption.
            models.UniqueConstraint(
                fields=["pass_obj"],
                condition=Q(undone_at__isnull=True),
                name="redemption_one_live_per_pass",
            ),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(statement__isnull=True),
                name="redemption_undone_not_in_statement",
            ),
        ]

    def __str__(self):
        return f"{self.pass_obj_id} → séance {self.session_id}"
