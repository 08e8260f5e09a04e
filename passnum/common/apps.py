from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "passnum.common"
    verbose_name = "Commun"
