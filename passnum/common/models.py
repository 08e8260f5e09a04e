from django.db import models


class ThrottleHit(models.Model):
    """One counted event (a failed code, a password-reset email…) for one key of one throttle
    (``passnum.common.throttle``), kept in the database so that every application server sees
    it. The key is stored as a keyed hash: it may name a person (an email, an IP address)."""

    scope = models.CharField("limitation", max_length=30)
    key = models.CharField("clé (empreinte)", max_length=64)
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "évènement limité"
        verbose_name_plural = "évènements limités"
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="throttlehit_scope_key_at"),
            models.Index(fields=["scope", "at"], name="throttlehit_scope_at"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key[:8]}… {self.at:%d/%m/%Y %H:%M}"
