"""``passnum passes generate --count N`` and ``passnum passes import FICHIER.csv``."""

import argparse
import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from passnum.common.exceptions import DomainError
from passnum.common.ids import typed_id
from passnum.passes.exceptions import DeliveryFileInvalid
from passnum.passes.imports import import_passes
from passnum.passes.selectors import budget_for
from passnum.passes.services import generate_passes
from passnum.programmes.models import Programme


def programme_from(value: str | None) -> Programme:
    """The programme named by its id or exact name; the only one when there is just one."""
    programmes = Programme.objects.all()
    if value:
        programme_id = typed_id(value)
        found = (
            programmes.filter(pk=programme_id) if programme_id else programmes.filter(name=value)
        )
        programme = found.first()
        if programme is None:
            raise CommandError(f"Programme introuvable : « {value} ».")
        return programme
    count = programmes.count()
    if count == 1:
        return programmes.get()
    if count == 0:
        raise CommandError("Aucun programme : créez-en un d'abord (administration).")
    names = ", ".join(f"{p.pk} ({p.name})" for p in programmes)
    raise CommandError(f"Plusieurs programmes : précisez --programme parmi {names}.")


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier") from None


class Command(BaseCommand):
    help = "Stock de pass : générer des pass ou importer le fichier de livraison d'un opérateur."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, title="actions")
        generate = commands.add_parser(
            "generate", help="créer des pass disponibles (dans la limite du budget des pass)"
        )
        generate.add_argument(
            "--count", type=whole_number, required=True, help="nombre de pass à créer"
        )
        generate.add_argument("--programme", help="identifiant ou nom du programme")
        load = commands.add_parser(
            "import", help="importer un fichier CSV (serial, code, end_date) : tout ou rien"
        )
        load.add_argument("file", type=Path, help="fichier CSV de livraison")
        load.add_argument("--programme", help="identifiant ou nom du programme")

    def handle(self, *args, action, programme=None, **options):
        target = programme_from(programme)
        origin = {"command": f"passnum passes {action}", "system_user": getpass.getuser()}
        try:
            if action == "generate":
                passes = generate_passes(target, options["count"], origin=origin)
                done = f"{len(passes)} pass générés"
            else:
                origin["file"] = str(options["file"])
                passes = import_passes(target, self._read(options["file"]), origin=origin)
                done = f"{len(passes)} pass importés depuis {options['file']}"
        except DeliveryFileInvalid as exc:
            raise CommandError("\n".join([exc.message, *exc.errors])) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        budget = budget_for(target)
        self.stdout.write(
            self.style.SUCCESS(
                f"{done} pour « {target.name} » ({passes[0].serial} à {passes[-1].serial}). "
                f"Stock disponible : {budget.in_stock} pass sur "
                f"{budget.passes_total} que le budget permet."
            )
        )

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Impossible de lire le fichier {path} : {exc.strerror}.") from exc
