"""Membership rules: added by an organisation's admin, deactivated (never deleted), and an
organisation always keeps one active admin."""

from django.db import transaction
from django.utils import timezone

from .exceptions import AlreadyMember, LastAdmin
from .models import Membership, Organisation
from .permissions import ensure_organisation_admin


def _lock_organisation(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _ensure_other_active_admin(membership: Membership) -> None:
    others = Membership.objects.filter(
        organisation_id=membership.organisation_id, is_active=True, is_admin=True
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise LastAdmin


@transaction.atomic
def add_member(actor, organisation: Organisation, user, *, is_admin: bool = False) -> Membership:
    ensure_organisation_admin(actor, organisation)
    _lock_organisation(organisation)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is not None and membership.is_active:
        raise AlreadyMember
    if membership is None:
        membership = Membership(organisation=organisation, user=user)
    membership.is_active = True
    membership.is_admin = is_admin
    membership.joined_at = timezone.now()
    membership.updated_by = actor.user
    membership.save()
    return membership


@transaction.atomic
def deactivate_membership(actor, membership: Membership) -> Membership:
    ensure_organisation_admin(actor, membership.organisation)
    _lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    if membership.is_admin:
        _ensure_other_active_admin(membership)
    membership.is_active = False
    membership.updated_by = actor.user
    membership.save(update_fields=["is_active", "updated_by", "updated_at"])
    return membership


@transaction.atomic
def set_admin(actor, membership: Membership, is_admin: bool) -> Membership:
    ensure_organisation_admin(actor, membership.organisation)
    _lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_admin and not is_admin:
        _ensure_other_active_admin(membership)
    membership.is_admin = is_admin
    membership.updated_by = actor.user
    membership.save(update_fields=["is_admin", "updated_by", "updated_at"])
    return membership


@transaction.atomic
def reactivate_membership(actor, membership: Membership) -> Membership:
    ensure_organisation_admin(actor, membership.organisation)
    _lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active:
        return membership
    membership.is_active = True
    membership.updated_by = actor.user
    membership.save(update_fields=["is_active", "updated_by", "updated_at"])
    return membership
