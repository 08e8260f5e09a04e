"""Providers (structures de médiation numérique): accreditation, profile, bank details, places.

A place's fields follow the national standard of digital mediation places (« schéma des lieux
de médiation numérique »): services, publics specifically addressed, opening hours, itinerant
or fixed, access modes, support modes.
"""

from django.db import models
from django.db.models import Q

from passnum.referential.enums import Service


class AccreditationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Demande envoyée"
    ACCREDITED = "accredited", "Habilitée"
    REFUSED = "refused", "Refusée"
    CHANGES_REQUESTED = "changes_requested", "Compléments demandés"
    SUSPENDED = "suspended", "Suspendue"


class Accreditation(models.Model):
    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="accreditation",
        verbose_name="structure",
    )
    status = models.CharField(
        "statut",
        max_length=20,
        choices=AccreditationStatus.choices,
        default=AccreditationStatus.DRAFT,
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "habilitation"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AccreditationStatus.values),
                name="accreditation_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.organisation} : {self.get_status_display()}"


class AccreditationEvent(models.Model):
    """One step of an accreditation: who moved it from which status to which, and why."""

    accreditation = models.ForeignKey(
        Accreditation, on_delete=models.PROTECT, related_name="events", verbose_name="habilitation"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    before = models.CharField("avant", max_length=20, choices=AccreditationStatus.choices)
    after = models.CharField("après", max_length=20, choices=AccreditationStatus.choices)
    reason = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "étape d'habilitation"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.accreditation.organisation} : {self.before} → {self.after}"


class BankDetails(models.Model):
    """Where a provider is paid (validated IBAN and BIC)."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="bank_details",
        verbose_name="structure",
    )
    account_holder = models.CharField("titulaire du compte", max_length=70)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"

    def __str__(self):
        return f"{self.account_holder} ({self.iban[:4]}…{self.iban[-4:]})"


class PlaceAccess(models.TextChoices):
    """Modalités d'accès (national standard)."""

    WALK_IN = "se_presenter", "Se présenter sur place"
    PHONE = "telephoner", "Téléphoner"
    EMAIL = "envoyer_un_mail", "Envoyer un courriel"
    APPOINTMENT = "prendre_un_rdv", "Prendre rendez-vous en ligne"


class SupportMode(models.TextChoices):
    """Modalités d'accompagnement (national standard)."""

    ALONE = "seul", "Seul, avec du matériel mis à disposition"
    HELPED = "avec_de_l_aide", "Avec de l'aide (individuelle)"
    GROUP = "dans_un_atelier", "Dans un atelier collectif"
    ON_BEHALF = "a_ma_place", "À ma place (aidant)"


class Place(models.Model):
    """A site where a provider trains people."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="places",
        verbose_name="structure",
    )
    name = models.CharField("nom du lieu", max_length=200)
    address = models.CharField("adresse", max_length=250, blank=True)
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune"
    )
    latitude = models.DecimalField("latitude", max_digits=8, decimal_places=5, null=True)
    longitude = models.DecimalField("longitude", max_digits=8, decimal_places=5, null=True)
    services = models.JSONField("services proposés", default=list, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)
    publics = models.JSONField("publics spécifiquement adressés", default=list, blank=True)
    opening_hours = models.CharField(
        "horaires",
        max_length=500,
        blank=True,
        help_text="Format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00 ».",
    )
    is_itinerant = models.BooleanField("itinérant", default=False)
    access_modes = models.JSONField("modalités d'accès", default=list, blank=True)
    support_modes = models.JSONField("modalités d'accompagnement", default=list, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "lieu"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="place_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def service_labels(self) -> list[str]:
        return [Service(code).label for code in self.services if code in Service.values]
