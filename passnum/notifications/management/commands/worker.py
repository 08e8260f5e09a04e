"""``passnum worker``: one process that runs the background tasks (the emails, the large
exports)."""

import logging
import signal
import threading
from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TASKS_LOGGER

from passnum.notifications.services import sweep_emails
from passnum.notifications.worker import project_worker

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value < float("inf"):
        raise ArgumentTypeError(f"« {text} » n'est pas un nombre de secondes positif.")
    return value


def positive_integer(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise ArgumentTypeError(f"« {text} » n'est pas un nombre entier positif.")
    return int(text)


def worker_id(text: str) -> str:
    if not 0 < len(text) <= 64:
        raise ArgumentTypeError("L'identifiant du processus compte de 1 à 64 caractères.")
    return text


class Command(BaseCommand):
    help = (
        "Processus d'envoi : exécute les tâches en arrière-plan (l'envoi des courriels, les gros "
        "exports), sans fin, jusqu'à l'arrêt (SIGTERM ou Ctrl+C : la tâche en cours se termine "
        "d'abord). Au démarrage, remet en file les courriels dont la tâche d'envoi a été perdue. "
        "Plusieurs processus, sur plusieurs machines, peuvent tourner ensemble sur la même base."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="exécuter les tâches prêtes puis s'arrêter",
        )
        parser.add_argument(
            "--interval",
            type=positive_number,
            default=1.0,
            metavar="SECONDES",
            help="attente quand la file est vide, avant de la relire (par défaut : 1)",
        )
        parser.add_argument(
            "--max-tasks",
            type=positive_integer,
            default=None,
            metavar="N",
            help="s'arrêter après N tâches (le superviseur relance alors le processus)",
        )
        parser.add_argument(
            "--worker-id",
            type=worker_id,
            default=None,
            metavar="IDENTIFIANT",
            help="identifiant unique du processus (par défaut : tiré au hasard)",
        )

    def handle(self, *args, batch, interval, max_tasks, worker_id, **options):
        self._configure_logging(options["verbosity"])
        worker_id = worker_id or get_random_string(32)
        worker = project_worker(
            batch=batch,
            interval=interval,
            max_tasks=max_tasks,
            worker_id=worker_id,
            startup_delay=not batch,
        )
        swept = sweep_emails()
        self.stdout.write(
            f"Processus d'envoi {worker_id} : file(s) {', '.join(worker.queue_names)} ; "
            f"{swept.requeued} courriel(s) remis en file au démarrage"
            + (" ; exécute les tâches prêtes puis s'arrête." if batch else ".")
        )
        if threading.current_thread() is not threading.main_thread():
            worker.run()
            return
        previous = {s: signal.getsignal(s) for s in SIGNALS}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _configure_logging(self, verbosity: int) -> None:
        """As ``db_worker`` does: the workers' own lines at INFO (DEBUG with -v 2)."""
        level = {0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in (TASKS_LOGGER, "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if not logger.hasHandlers():
                logger.addHandler(logging.StreamHandler(self.stdout))
