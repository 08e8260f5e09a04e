"""Training paths (parcours): defined by the operator on top of the services; providers say
which paths they offer at which place."""

from django.db import models
from django.db.models import Q


class Path(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="paths"
    )
    name = models.CharField("nom", max_length=150)
    description = models.TextField("description", blank=True)
    services = models.JSONField("services couverts", default=list)
    target_publics = models.JSONField("publics visés", default=list, blank=True)
    is_active = models.BooleanField("proposé", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="path_unique_name"),
            models.CheckConstraint(condition=~Q(services=[]), name="path_has_services"),
        ]

    def __str__(self):
        return self.name

    @property
    def total_hours(self) -> int:
        return sum(m.hours for m in self.modules.all())


class PathModule(models.Model):
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField("ordre")
    title = models.CharField("intitulé", max_length=200)
    hours = models.PositiveSmallIntegerField("durée (heures)")

    class Meta:
        verbose_name = "module"
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="path_module_position"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="path_module_hours_positive"),
        ]

    def __str__(self):
        return f"{self.title} ({self.hours} h)"


class PathOffer(models.Model):
    """A provider's place offers a path."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="offers")
    place = models.ForeignKey(
        "providers.Place", on_delete=models.PROTECT, related_name="path_offers"
    )
    created_at = models.DateTimeField("proposé depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "offre de parcours"
        constraints = [
            models.UniqueConstraint(fields=["path", "place"], name="path_offer_unique"),
        ]

    def __str__(self):
        return f"{self.path} à {self.place}"
