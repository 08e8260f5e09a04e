from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "passnum.notifications"
    verbose_name = "Courriels"
