import pytest
from django.db import IntegrityError, transaction

from passnum.common.exceptions import Conflict, NotAllowed
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.exceptions import AlreadyMember, LastAdmin, NoActiveMembership
from passnum.organisations.models import Membership
from passnum.organisations.selectors import current_membership
from passnum.organisations.services import (
    add_member,
    deactivate_membership,
    reactivate_membership,
    set_admin,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def admin(make_actor):
    return make_actor(OrganisationKind.REFERRER, is_admin=True)


def test_admin_adds_a_member(admin):
    user = UserFactory()
    membership = add_member(admin, admin.organisation, user)
    assert membership.is_active
    assert not membership.is_admin
    assert membership.updated_by == admin.user
    assert Actor(membership).role == OrganisationKind.REFERRER


def test_adding_an_active_member_twice_is_refused(admin):
    user = UserFactory()
    add_member(admin, admin.organisation, user)
    with pytest.raises(AlreadyMember):
        add_member(admin, admin.organisation, user)
    assert Membership.objects.filter(user=user).count() == 1


def test_a_plain_member_cannot_manage_members(make_actor, admin):
    member = make_actor(OrganisationKind.REFERRER, organisation=admin.organisation)
    with pytest.raises(NotAllowed, match="administrateur de la structure"):
        add_member(member, admin.organisation, UserFactory())
    with pytest.raises(NotAllowed):
        deactivate_membership(member, admin.membership)
    assert admin.membership.is_active


def test_an_admin_of_another_organisation_cannot_manage_members(make_actor, admin):
    other_admin = make_actor(OrganisationKind.REFERRER, is_admin=True)
    with pytest.raises(NotAllowed):
        deactivate_membership(other_admin, admin.membership)
    admin.membership.refresh_from_db()
    assert admin.membership.is_active


def test_deactivation_keeps_the_membership(admin):
    member = MembershipFactory(organisation=admin.organisation)
    deactivate_membership(admin, member)
    member.refresh_from_db()
    assert not member.is_active
    assert member.updated_by == admin.user
    reactivate_membership(admin, member)
    member.refresh_from_db()
    assert member.is_active


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(admin):
    with pytest.raises(LastAdmin):
        deactivate_membership(admin, admin.membership)
    with pytest.raises(LastAdmin):
        set_admin(admin, admin.membership, False)
    admin.membership.refresh_from_db()
    assert admin.membership.is_active
    assert admin.membership.is_admin


def test_an_admin_leaves_once_another_admin_exists(admin):
    other = MembershipFactory(organisation=admin.organisation)
    set_admin(admin, other, True)
    deactivate_membership(admin, admin.membership)
    admin.membership.refresh_from_db()
    assert not admin.membership.is_active


def test_memberships_are_never_deleted(admin):
    with pytest.raises(Conflict, match="désactivez-la"):
        admin.membership.delete()
    assert Membership.objects.filter(pk=admin.membership.pk).exists()


def test_one_membership_per_user_and_organisation(admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=admin.user, organisation=admin.organisation)


def test_current_membership_is_the_chosen_one_while_active(programme):
    user = UserFactory()
    first = MembershipFactory(user=user, organisation=OrganisationFactory(programme=programme))
    second = MembershipFactory(
        user=user, organisation=OrganisationFactory(programme=programme, provider=True)
    )
    assert current_membership(user) == first
    assert current_membership(user, second.pk) == second
    second.is_active = False
    second.save()
    assert current_membership(user, second.pk) == first  # falls back to an active one
    first.is_active = False
    first.save()
    with pytest.raises(NoActiveMembership):
        current_membership(user, first.pk)


def test_a_foreign_membership_cannot_be_chosen(programme):
    user = UserFactory()
    mine = MembershipFactory(user=user, organisation=OrganisationFactory(programme=programme))
    someone_else = MembershipFactory()
    assert current_membership(user, someone_else.pk) == mine


def test_role_comes_from_the_membership_not_the_user(programme):
    user = UserFactory()
    referrer = MembershipFactory(user=user, organisation=OrganisationFactory(programme=programme))
    provider = MembershipFactory(
        user=user, organisation=OrganisationFactory(programme=programme, provider=True)
    )
    assert Actor(referrer).role == OrganisationKind.REFERRER
    assert Actor(provider).role == OrganisationKind.PROVIDER
