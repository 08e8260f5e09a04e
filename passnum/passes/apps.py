from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "passnum.passes"
    verbose_name = "Pass"

    def ready(self):
        from passnum.common.triggers import register
        from passnum.notifications.delivery import register_check
        from passnum.notifications.models import EmailKind

        from . import checks  # noqa: F401 (registers the deploy checks)
        from .reminders import KIND_OF, reminder_still_due
        from .triggers import PASS_MOVES

        register(PASS_MOVES)
        # A reminder whose passes are all used (or whose checkbook ended) is not sent.
        for kind in (*KIND_OF.values(), EmailKind.REMINDER_FOLLOW_UP):
            register_check(kind, reminder_still_due)
