from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "passnum.reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from passnum.common.daily import register_daily

        from .services import purge_exports

        register_daily(purge_exports)
