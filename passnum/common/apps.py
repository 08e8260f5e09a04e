from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommonConfig(AppConfig):
    name = "passnum.common"
    verbose_name = "Commun"

    def ready(self):
        from .triggers import install_after_migrate

        # Once per ``migrate``, after every app's tables exist.
        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="passnum.common.triggers"
        )
