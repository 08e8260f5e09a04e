from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "passnum.journal"
    verbose_name = "Journal"
