from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "passnum.passes"
    verbose_name = "Pass"

    def ready(self):
        from passnum.common.triggers import register

        from .triggers import PASS_MOVES

        register(PASS_MOVES)
