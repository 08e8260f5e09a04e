"""``passnum daily [--date AAAA-MM-JJ]``: the scheduled work, safe to run twice."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from passnum.passes.expiry import expire_passes
from passnum.passes.reminders import queue_reminders, send_reminders


def plural(count: int, singular: str, several: str) -> str:
    return f"{count} {singular if count in (0, 1) else several}"


class Command(BaseCommand):
    help = (
        "Travail quotidien : expiration des pass (fin de validité + 30 jours), rappels 30 jours "
        "avant la fin des chéquiers. Peut être relancé sans effet de bord."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            metavar="AAAA-MM-JJ",
            help="jour à considérer, au format AAAA-MM-JJ (par défaut : aujourd'hui)",
        )

    def handle(self, *args, day=None, **options):
        today = self._day(day) if day else timezone.localdate()
        expiry = expire_passes(today)
        queued = queue_reminders(today)
        sending = send_reminders(timezone.now())
        summary = (
            f"{plural(expiry.expired, 'pass expiré', 'pass expirés')}, "
            f"{plural(sending.sent, 'rappel envoyé', 'rappels envoyés')}"
        )
        details = [plural(queued, "rappel mis en file", "rappels mis en file")]
        if sending.failed:
            details.append(
                plural(sending.failed, "rappel non envoyé", "rappels non envoyés")
                + " (nouvel essai au prochain passage)"
            )
        if expiry.stale_stock:
            details.append(
                plural(
                    expiry.stale_stock,
                    "pass du stock expiré (fin fixée par son opérateur)",
                    "pass du stock expirés (fin fixée par leur opérateur)",
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"{summary} le {today:%d/%m/%Y} ({' ; '.join(details)}).")
        )

    @staticmethod
    def _day(text: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"Date invalide : « {text} ». Attendu : AAAA-MM-JJ, par exemple 2026-09-30."
            ) from None
