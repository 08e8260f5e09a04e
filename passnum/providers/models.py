"""Provider organisations' places and accreditation.

This issue needs only what the printed checkbook shows (the accredited places nearest to a
person, with their services); the accreditation workflow and the full profile of the national
standard come with « 3/6 ».
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
