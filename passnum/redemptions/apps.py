from django.apps import AppConfig


class RedemptionsConfig(AppConfig):
    name = "passnum.redemptions"
    verbose_name = "Encaissements"
