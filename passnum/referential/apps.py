from django.apps import AppConfig


class ReferentialConfig(AppConfig):
    name = "passnum.referential"
    verbose_name = "Référentiel"
