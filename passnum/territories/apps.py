from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "passnum.territories"
    verbose_name = "Territoires"
