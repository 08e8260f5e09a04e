from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "passnum.referrals"
    verbose_name = "Orientations"

    def ready(self):
        from passnum.common.triggers import register

        from .triggers import PRESCRIPTION_BY_DEPARTMENT

        register(PRESCRIPTION_BY_DEPARTMENT)
