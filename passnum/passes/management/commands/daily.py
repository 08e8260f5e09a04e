"""``passnum daily [--date AAAA-MM-JJ]``: the scheduled work, safe to run twice."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from passnum.common.daily import run_daily_jobs
from passnum.notifications.selectors import failed_count
from passnum.notifications.services import sweep_emails
from passnum.passes.expiry import expire_passes
from passnum.passes.reminders import queue_reminders


def plural(count: int, singular: str, several: str) -> str:
    return f"{count} {singular if count in (0, 1) else several}"


class Command(BaseCommand):
    help = (
        "Travail quotidien : expiration des pass (fin de validité + le délai de déclaration du "
        "programme, 30 jours par défaut), rappels avant la fin des chéquiers (au délai du "
        "programme, 30 jours par défaut) mis en file d'envoi (passnum worker les envoie), "
        "courriels dont la tâche d'envoi a été perdue remis en file, puis le travail inscrit par "
        "les autres applications (fichiers d'export de plus de 7 jours supprimés). Peut être "
        "relancé sans effet de bord."
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
        swept = sweep_emails()
        registered = run_daily_jobs(today)
        summary = (
            f"{plural(expiry.expired, 'pass expiré', 'pass expirés')}, "
            f"{plural(queued, 'rappel mis en file', 'rappels mis en file')} d'envoi"
        )
        details = ["envoi par passnum worker"]
        if swept.requeued:
            details.append(
                plural(swept.requeued, "courriel remis en file", "courriels remis en file")
                + " (tâche d'envoi perdue)"
            )
        if failed := failed_count():
            details.append(
                plural(failed, "courriel en échec", "courriels en échec")
                + " : voir la page « Courriels » du pilote"
            )
        if expiry.stale_stock:
            details.append(
                plural(
                    expiry.stale_stock,
                    "pass du stock expiré (fin fixée par son opérateur)",
                    "pass du stock expirés (fin fixée par leur opérateur)",
                )
            )
        details.extend(registered)
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
