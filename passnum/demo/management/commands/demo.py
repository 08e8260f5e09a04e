from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from passnum.demo.lozere import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Réinitialise la base locale, y charge la démonstration de la Lozère, puis lance le "
        "serveur de développement (sauf avec --no-serve)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="charger sans lancer le serveur"
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="adresse du serveur")

    def handle(self, *args, no_serve, addrport, **options):
        if not settings.DEBUG:
            raise CommandError(
                "passnum demo efface toute la base : il ne s'exécute qu'en développement "
                "(DEBUG=1). Rien n'a été modifié."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        programme = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Démonstration chargée : {programme.name}."))
        names = ", ".join(username for username, *_ in ACCOUNTS)
        self.stdout.write(f"Comptes : {names} — mot de passe « {DEMO_PASSWORD} ».")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
