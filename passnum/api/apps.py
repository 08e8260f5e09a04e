from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "passnum.api"
    label = "api"
    verbose_name = "API"
