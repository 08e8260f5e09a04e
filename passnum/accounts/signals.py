"""A deactivated membership takes its API tokens with it, for good (whatever the path: the
organisation's admin, the Django admin): reactivating it revives none of them."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from passnum.organisations.models import Membership

from .models import ApiToken, Revocation


@receiver(post_save, sender=Membership, dispatch_uid="accounts.revoke_tokens_of_membership")
def revoke_tokens_of_inactive_membership(sender, instance, raw=False, **kwargs):
    if not raw and not instance.is_active:
        ApiToken.objects.filter(membership=instance).revoke(Revocation.MEMBERSHIP)
