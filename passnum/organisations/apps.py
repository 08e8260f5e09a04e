from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "passnum.organisations"
    verbose_name = "Organisations"
