from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "passnum.referrals"
    verbose_name = "Orientations"
