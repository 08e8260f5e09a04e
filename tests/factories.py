from datetime import date

import factory
from factory.django import DjangoModelFactory

from passnum.accounts.models import User
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Membership, Organisation
from passnum.programmes.enums import FunderKind
from passnum.programmes.models import Funder, Programme

PASSWORD = "mot-de-passe-de-test"


class ProgrammeFactory(DjangoModelFactory):
    """The Lozère programme of the press release."""

    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Pass numérique Lozère {n}")
    territory_code = "48"
    starts_on = date(2026, 1, 1)
    ends_on = date(2028, 12, 31)
    envelope_cents = 40_000_00
    engineering_cents = 4_000_00
    pass_value_cents = 10_00
    passes_per_checkbook = 5


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = FunderKind.OTHER
    share_basis_points = 5000


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    programme = factory.SubFactory(ProgrammeFactory)
    kind = OrganisationKind.REFERRER
    name = factory.Sequence(lambda n: f"Structure {n}")

    class Params:
        referrer = factory.Trait(kind=OrganisationKind.REFERRER)
        department = factory.Trait(kind=OrganisationKind.DEPARTMENT)
        provider = factory.Trait(kind=OrganisationKind.PROVIDER)
        operator = factory.Trait(kind=OrganisationKind.OPERATOR)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_admin = False
    is_active = True
