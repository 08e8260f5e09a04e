from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class CommonConfig(AppConfig):
    name = "passnum.common"
    verbose_name = "Commun"

    def ready(self):
        from .triggers import drop_before_migrate, install_after_migrate

        # Once per ``migrate``: dropped before the migrations (SQLite rebuilds tables that the
        # triggers read), installed after, when every app's tables exist.
        pre_migrate.connect(
            drop_before_migrate, sender=self, dispatch_uid="passnum.common.triggers.drop"
        )
        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="passnum.common.triggers"
        )
