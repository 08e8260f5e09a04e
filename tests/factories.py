from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from passnum.accounts.models import User
from passnum.beneficiaries.models import Beneficiary
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Membership, Organisation
from passnum.programmes.enums import FunderKind
from passnum.programmes.models import Funder, Programme
from passnum.providers.models import Accreditation, AccreditationStatus, Place
from passnum.referential.enums import tier_of
from passnum.referrals.models import Referral
from passnum.territories.models import Commune

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
        funder = factory.Trait(kind=OrganisationKind.FUNDER)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_admin = False
    is_active = True


class CommuneFactory(DjangoModelFactory):
    """Mende by default; pass other real values for other communes."""

    class Meta:
        model = Commune
        django_get_or_create = ["insee_code"]

    insee_code = "48095"
    name = "Mende"
    department_code = "48"
    latitude = "44.51805"
    longitude = "3.50114"
    population = 11_828


class BeneficiaryFactory(DjangoModelFactory):
    class Meta:
        model = Beneficiary

    programme = factory.SubFactory(ProgrammeFactory)
    first_name = "Jeanne"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    birth_date = date(1980, 5, 17)
    commune = factory.SubFactory(CommuneFactory)
    notice_given_on = date(2026, 1, 15)


class ReferralFactory(DjangoModelFactory):
    """A pending referral by a referrer organisation of the beneficiary's programme."""

    class Meta:
        model = Referral

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    programme = factory.SelfAttribute("beneficiary.programme")
    organisation = factory.SubFactory(
        OrganisationFactory, programme=factory.SelfAttribute("..programme"), referrer=True
    )
    created_by = factory.SubFactory(UserFactory)
    publics = factory.LazyFunction(list)
    needs = factory.LazyFunction(lambda: ["outils_quotidien"])
    tier = factory.LazyAttribute(lambda r: tier_of(r.publics))
    status = "pending"
    # A decided referral is dated and signed (a database constraint).
    decided_at = factory.Maybe(
        factory.LazyAttribute(lambda r: r.status != "pending"),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )
    decided_by = factory.Maybe(
        factory.LazyAttribute(lambda r: r.status != "pending"),
        yes_declaration=factory.SelfAttribute("created_by"),
        no_declaration=None,
    )


class ProviderPlaceFactory(DjangoModelFactory):
    """A place of an accredited provider."""

    organisation = factory.SubFactory(OrganisationFactory, provider=True)
    name = factory.Sequence(lambda n: f"Lieu {n}")
    commune = factory.SubFactory(CommuneFactory)
    latitude = factory.SelfAttribute("commune.latitude")
    longitude = factory.SelfAttribute("commune.longitude")
    services = factory.LazyFunction(lambda: ["outils_quotidien", "demarches_administratives"])

    class Meta:
        model = Place
        skip_postgeneration_save = True

    @factory.post_generation
    def accredited(obj, create, extracted, **kwargs):
        """``accredited=False`` leaves the provider without accreditation."""
        if create and extracted is not False:
            Accreditation.objects.get_or_create(
                organisation=obj.organisation, defaults={"status": AccreditationStatus.ACCREDITED}
            )


class AccreditationFactory(DjangoModelFactory):
    class Meta:
        model = Accreditation
        django_get_or_create = ["organisation"]

    organisation = factory.SubFactory(OrganisationFactory, provider=True)
    status = AccreditationStatus.ACCREDITED


def set_status(passes, status) -> None:
    """Bring passes to ``status`` by the shortest way through the allowed moves (the database
    refuses any other change), without the services: for tests that need a ledger in a given
    state. ``passes``: pass instances or a queryset."""
    from collections import deque

    from passnum.passes.models import Pass
    from passnum.passes.transitions import ALLOWED

    def way(start, goal):
        paths = deque([[start]])
        while paths:
            path = paths.popleft()
            if path[-1] == goal:
                return path[1:]
            paths.extend([*path, b] for a, b in ALLOWED if a == path[-1] and b not in path)
        raise ValueError(f"Aucun chemin de {start} à {goal}.")

    by_status: dict[str, list[int]] = {}
    for pk, current in Pass.objects.filter(
        pk__in=[p.pk for p in passes] if isinstance(passes, list) else passes.values("pk")
    ).values_list("pk", "status"):
        by_status.setdefault(current, []).append(pk)
    for current, pks in by_status.items():
        for step in way(current, status):
            Pass.objects.filter(pk__in=pks).update(status=step)
