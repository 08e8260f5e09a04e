from django.db import models

from passnum.common.text import normalise_name


class CommuneQuerySet(models.QuerySet):
    def of_department(self, department_code: str):
        return self.filter(department_code=department_code)


class Epci(models.Model):
    """An intercommunality (établissement public de coopération intercommunale à fiscalité
    propre: communauté de communes, d'agglomération, urbaine, métropole), known by its SIREN."""

    code = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=10, blank=True)

    class Meta:
        verbose_name = "intercommunalité"
        verbose_name_plural = "intercommunalités"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{9}$"), name="epci_code_format"
            ),
        ]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=150)
    search_name = models.CharField("nom normalisé", max_length=150, db_index=True, editable=False)
    department_code = models.CharField("département", max_length=3, db_index=True)
    latitude = models.DecimalField("latitude", max_digits=8, decimal_places=5, null=True)
    longitude = models.DecimalField("longitude", max_digits=8, decimal_places=5, null=True)
    population = models.PositiveIntegerField("population municipale", null=True)
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name="intercommunalité",
    )

    objects = models.Manager.from_queryset(CommuneQuerySet)()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(insee_code__regex=r"^[0-9][0-9AB][0-9]{3}$"),
                name="commune_insee_code_format",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__range=(-90, 90)),
                name="commune_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__range=(-180, 180)),
                name="commune_longitude_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    @property
    def postal_code_list(self) -> list[str]:
        return sorted(pc.code for pc in self.postal_codes.all())

    @property
    def label(self) -> str:
        codes = ", ".join(self.postal_code_list)
        return f"{self.name} ({codes})" if codes else self.name


class PostalCode(models.Model):
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="postal_codes", verbose_name="commune"
    )
    code = models.CharField("code postal", max_length=5, db_index=True)

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="postal_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{5}$"), name="postal_code_format"
            ),
        ]

    def __str__(self):
        return self.code
