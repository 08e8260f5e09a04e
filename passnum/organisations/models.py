from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .enums import OrganisationKind
from .validators import validate_siret


class Organisation(models.Model):
    """An organisation taking part in one programme; its kind gives its members' role.

    An organisation that both orients and trains (a Mission Locale) has one organisation per
    kind, sharing its SIRET; its people belong to both and switch between them.
    """

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name="programme",
    )
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "name"], name="organisation_unique_name"
            ),
            models.UniqueConstraint(
                fields=["programme", "kind", "siret"],
                condition=~Q(siret=""),
                name="organisation_unique_siret",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="organisation_siret_format",
            ),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_user(self, user):
        # The accreditation (providers) comes along: the redemption reads it from there.
        return self.filter(user=user).select_related(
            "organisation__programme", "organisation__accreditation"
        )


class Membership(models.Model):
    """A user in an organisation. Deactivated, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="utilisateur",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="organisation",
    )
    is_admin = models.BooleanField("administrateur de la structure", default=False)
    is_active = models.BooleanField("actif", default=True)
    joined_at = models.DateTimeField("membre depuis", default=timezone.now)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifié par",
    )

    objects = models.Manager.from_queryset(MembershipQuerySet)()

    class Meta:
        verbose_name = "membre"
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation}"

    def delete(self, *args, **kwargs):
        from passnum.common.exceptions import Conflict

        raise Conflict("Une adhésion ne se supprime pas : désactivez-la.")

    @property
    def role(self) -> OrganisationKind:
        return OrganisationKind(self.organisation.kind)
