from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "passnum.accounts"
    verbose_name = "Comptes"
