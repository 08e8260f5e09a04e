from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "passnum.statements"
    verbose_name = "Relevés de remboursement"
