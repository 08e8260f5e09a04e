from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from passnum.territories.exceptions import CommuneFileError
from passnum.territories.services import load_communes


class Command(BaseCommand):
    help = "Charge (ou met à jour) les communes d'un département depuis les fichiers fournis."

    def add_arguments(self, parser):
        parser.add_argument("--departement", default="48", help="code du département (48)")
        parser.add_argument(
            "--fichier", type=Path, help="CSV des communes (sinon : fichier fourni)"
        )
        parser.add_argument("--codes-postaux", type=Path, help="CSV des codes postaux")

    def handle(self, *args, departement, fichier, codes_postaux, **options):
        try:
            count = load_communes(departement, fichier, codes_postaux)
        except CommuneFileError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{count} communes chargées pour le département {departement}.")
        )
