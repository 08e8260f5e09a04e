from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "passnum.passes"
    verbose_name = "Pass"

    def ready(self):
        from passnum.notifications.services import register_check

        from .reminders import KIND_OF, reminder_still_due

        # A reminder whose passes are all used (or whose checkbook ended) is not sent.
        for kind in KIND_OF.values():
            register_check(kind, reminder_still_due)
