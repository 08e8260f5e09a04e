from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "passnum.www"
    verbose_name = "Site"
