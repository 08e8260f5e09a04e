from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "passnum.accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
