from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships, not from here."""

    class Meta:
        verbose_name = "utilisateur"
        db_table = "accounts_user"

    def __str__(self):
        return self.get_full_name() or self.username

    # Every path that changes a password (reset link, « Mon compte », the admin,
    # ``changepassword``) ends in ``save()`` after ``set_password()`` (or
    # ``set_unusable_password()``): the API tokens are revoked there, and the login lock of the
    # account is lifted (the lockout message offers a reset). A login that only rehashes the
    # same password (``check_password``) clears ``_password`` first and changes nothing else.
    _password_dropped = False

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_dropped = True

    def save(self, *args, **kwargs):
        password_changed = self._password is not None or self._password_dropped
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed:
                from .throttling import reset_account

                ApiToken.objects.of_user(self).revoke(Revocation.PASSWORD)
                reset_account(self.username)
            if not self.is_active:
                ApiToken.objects.of_user(self).revoke(Revocation.USER_DEACTIVATED)
        self._password_dropped = False


class Revocation(models.TextChoices):
    """Why a token was revoked."""

    OWNER = "owner", "Révoqué par son titulaire"
    PASSWORD = "password", "Mot de passe changé"
    MEMBERSHIP = "membership", "Adhésion désactivée"
    USER_DEACTIVATED = "user_deactivated", "Compte désactivé"


class ApiTokenQuerySet(models.QuerySet):
    def of_user(self, user):
        return self.filter(membership__user=user)

    def live(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def revoke(self, reason: "Revocation", now=None) -> int:
        """Revoke those not revoked yet (one query); how many were."""
        return self.filter(revoked_at__isnull=True).update(
            revoked_at=now or timezone.now(), revoked_reason=reason
        )


class ApiToken(models.Model):
    """A bearer token for the API, bound to one membership. Only its SHA-256 is stored.

    Revoked for good (never deleted, never revived): by its owner, when the user's password
    changes, when its membership or its user is deactivated.
    """

    key_hash = models.CharField("empreinte", max_length=64, unique=True)
    membership = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="adhésion",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_reason = models.CharField(
        "motif de révocation", max_length=20, choices=Revocation.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(revoked_at__isnull=True, revoked_reason="")
                    | Q(revoked_at__isnull=False, revoked_reason__in=Revocation.values)
                ),
                name="apitoken_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"jeton {self.key_hash[:8]}… ({self.membership})"
