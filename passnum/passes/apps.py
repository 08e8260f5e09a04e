from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "passnum.passes"
    verbose_name = "Pass"
