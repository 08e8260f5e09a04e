"""Finding people. A referrer finds only the people its own organisation recorded: it never
learns that another organisation knows someone (docs/roles.md « Les doublons »). The Département
finds everyone of its programme, and sees the records that other organisations made of the same
person."""

from passnum.organisations.permissions import Capability, can

from .models import Beneficiary, identity_key


def people_visible_to(actor):
    """The people an actor may find and reuse: its own organisation's records, or, for the
    Département, the whole programme's."""
    people = Beneficiary.objects.filter(programme=actor.programme)
    if not can(actor, Capability.VIEW_ALL_REFERRALS):
        people = people.filter(created_by_organisation=actor.organisation)
    return people


def same_identity(programme, first_name: str, last_name: str, birth_date):
    """People of the programme with the same names (accents and case aside) and birth date,
    whoever recorded them."""
    return Beneficiary.objects.filter(
        programme=programme,
        search_first_name=identity_key(first_name),
        search_last_name=identity_key(last_name),
        birth_date=birth_date,
    )


def possible_duplicates(actor, first_name: str, last_name: str, birth_date):
    """The people with this identity that the actor may see (for the question « is it one of
    them? »)."""
    scope = people_visible_to(actor)
    return (
        same_identity(actor.programme, first_name, last_name, birth_date)
        .filter(pk__in=scope.values("pk"))
        .select_related("commune")
        .order_by("pk")
    )


def other_records_of(beneficiary):
    """The other records of the same identity in the programme: the same person recorded by
    another organisation (or a namesake born the same day). For the Département."""
    return (
        same_identity(
            beneficiary.programme_id,
            beneficiary.first_name,
            beneficiary.last_name,
            beneficiary.birth_date,
        )
        .exclude(pk=beneficiary.pk)
        .order_by("pk")
    )
