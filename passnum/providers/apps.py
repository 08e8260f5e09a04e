from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "passnum.providers"
    verbose_name = "Structures de médiation"
