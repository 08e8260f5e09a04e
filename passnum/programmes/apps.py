from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "passnum.programmes"
    verbose_name = "Programmes"

    def ready(self):
        from passnum.common.triggers import register

        from .triggers import ENGINEERING_WITHIN_SHARE

        register(ENGINEERING_WITHIN_SHARE)
