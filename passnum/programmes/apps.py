from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "passnum.programmes"
    verbose_name = "Programmes"
