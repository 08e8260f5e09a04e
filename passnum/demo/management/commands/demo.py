import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import Command as RunserverCommand

from passnum.demo.lozere import ACCOUNTS, DEMO_PASSWORD, load_demo
from passnum.demo.past_year import figures_of

# Beyond this, the past year would prescribe more checkbooks than the budget buys.
MAX_SCALE = 1.5

# One email worker beside the development server (a child process, stopped with it).
WORKER = [sys.executable, "-m", "passnum", "worker"]


class DemoServer(RunserverCommand):
    """``runserver``, which starts the email worker once its port is bound (not when the port
    is taken: runserver then leaves at once, without cleaning up)."""

    worker = None

    def on_bind(self, server_port):
        super().on_bind(server_port)
        self.start_worker()

    def start_worker(self):
        self.worker = subprocess.Popen(WORKER)
        self.stdout.write(
            f"Processus d'envoi des courriels lancé à côté du serveur (passnum worker, "
            f"pid {self.worker.pid}) : les courriels s'affichent dans cette console ; il "
            "s'arrête avec le serveur."
        )

    def stop_worker(self):
        if self.worker is None:
            return
        self.worker.terminate()
        try:
            self.worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()


def leave(signum, frame):
    sys.exit(0)


class Command(BaseCommand):
    help = (
        "Réinitialise la base locale, y charge la démonstration de la Lozère, puis lance le "
        "serveur de développement et, à côté, un processus d'envoi des courriels (sauf avec "
        "--no-serve)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="charger sans lancer le serveur"
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="adresse du serveur")
        parser.add_argument(
            "--scale",
            default="1",
            help="taille de l'année passée : 1 (300 personnes orientées de janvier à "
            "novembre), 0.1 pour un chargement rapide, 0 pour ne charger que le programme sans "
            f"activité passée (au plus {MAX_SCALE})",
        )

    def handle(self, *args, no_serve, addrport, scale, **options):
        if not settings.DEBUG:
            raise CommandError(
                "passnum demo efface toute la base : il ne s'exécute qu'en développement "
                "(DEBUG=1). Rien n'a été modifié."
            )
        scale = self.read_scale(scale)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        programme = load_demo(scale=scale)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Démonstration chargée en {seconds:.0f} s : {programme.name}.")
        )
        if scale:
            self.stdout.write(f"La démonstration en chiffres : {figures_of(programme)}.")
        names = ", ".join(username for username, *_ in ACCOUNTS)
        self.stdout.write(f"Comptes : {names} — mot de passe « {DEMO_PASSWORD} ».")
        if not no_serve:
            self.serve(addrport)

    @staticmethod
    def read_scale(text) -> float:
        try:
            scale = float(str(text).replace(",", "."))
        except ValueError:
            scale = -1
        if not 0 <= scale <= MAX_SCALE:
            raise CommandError(
                f"--scale attend un nombre entre 0 et {MAX_SCALE} (par exemple 0.1) : "
                f"« {text} » ne convient pas. Rien n'a été modifié."
            )
        return scale

    def serve(self, addrport):
        """The development server with its worker; Ctrl+C or SIGTERM stop both."""
        server = DemoServer(stdout=self.stdout, stderr=self.stderr)
        previous = signal.signal(signal.SIGTERM, leave)
        try:
            call_command(server, addrport, use_reloader=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.stop_worker()
