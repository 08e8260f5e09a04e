from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "passnum.demo"
    verbose_name = "Démonstration"
