from django.apps import AppConfig


class PathsConfig(AppConfig):
    name = "passnum.paths"
    verbose_name = "Parcours"
