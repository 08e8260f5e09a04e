import factory
from factory.django import DjangoModelFactory

from passnum.paths.models import Path, PathModule
from passnum.providers.models import BankDetails
from tests.factories import OrganisationFactory, ProgrammeFactory

VALID_IBAN = "FR7630006000011234567890189"
VALID_BIC = "AGRIFRPP"


class BankDetailsFactory(DjangoModelFactory):
    class Meta:
        model = BankDetails
        django_get_or_create = ["organisation"]

    organisation = factory.SubFactory(OrganisationFactory, provider=True)
    account_holder = factory.SelfAttribute("organisation.name")
    iban = VALID_IBAN
    bic = VALID_BIC


class PathFactory(DjangoModelFactory):
    """An active path with one 2-hour module."""

    class Meta:
        model = Path
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Parcours {n}")
    services = factory.LazyFunction(lambda: ["outils_quotidien"])
    target_publics = factory.LazyFunction(list)

    @factory.post_generation
    def modules(obj, create, extracted, **kwargs):
        if create:
            for position, (title, hours) in enumerate(extracted or [("Premiers pas", 2)], 1):
                PathModule.objects.create(path=obj, position=position, title=title, hours=hours)
