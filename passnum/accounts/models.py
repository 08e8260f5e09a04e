from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships, not from here."""

    class Meta:
        verbose_name = "utilisateur"
        db_table = "accounts_user"

    def __str__(self):
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API, bound to one membership. Only its SHA-256 is stored."""

    key_hash = models.CharField("empreinte", max_length=64, unique=True)
    membership = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="adhésion",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self):
        return f"jeton {self.key_hash[:8]}… ({self.membership})"
