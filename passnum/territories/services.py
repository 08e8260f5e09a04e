"""Loading the reference list of communes (all or nothing)."""

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from .exceptions import CommuneFileError
from .models import Commune, Epci, PostalCode
from .selectors import INSEE_RE

# ASCII digits only: « ² » passes str.isdigit() but not int().
POPULATION_RE = re.compile(r"[0-9]+")
POSTAL_CODE_RE = re.compile(r"[0-9]{5}")

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNE_COLUMNS = ["insee_code", "name", "postal_code", "latitude", "longitude", "population"]
POSTAL_COLUMNS = ["insee_code", "name", "postal_code"]
EPCI_COLUMNS = ["insee_code", "epci_code", "epci_name", "epci_kind"]
EPCI_RE = re.compile(r"[0-9]{9}")


@dataclass(frozen=True)
class CommuneRow:
    insee_code: str
    name: str
    latitude: Decimal | None
    longitude: Decimal | None
    population: int | None


def bundled_epci_file(department_code: str) -> Path | None:
    path = DATA_DIR / f"epci-{department_code}.csv"
    return path if path.exists() else None


def parse_epci(path: Path, known: set[str]) -> dict[str, tuple[str, str, str]]:
    """INSEE code → (EPCI SIREN, name, nature), every line checked."""
    membership, errors = {}, []
    for line, record in enumerate(_read(path, EPCI_COLUMNS), start=2):
        insee = (record["insee_code"] or "").strip().upper()
        code = (record["epci_code"] or "").strip()
        name = (record["epci_name"] or "").strip()
        if insee not in known:
            errors.append(
                f"{path.name}, ligne {line} : commune {insee} absente du fichier des communes."
            )
        elif not EPCI_RE.fullmatch(code):
            errors.append(f"{path.name}, ligne {line} : SIREN d'EPCI « {code} » invalide.")
        elif not name:
            errors.append(f"{path.name}, ligne {line} : nom de l'EPCI manquant.")
        else:
            membership[insee] = (code, name[:200], (record["epci_kind"] or "").strip()[:10])
    if errors:
        raise CommuneFileError(errors)
    return membership


def bundled_files(department_code: str) -> tuple[Path, Path]:
    communes = DATA_DIR / f"communes-{department_code}.csv"
    postal = DATA_DIR / f"codes-postaux-{department_code}.csv"
    if not communes.exists():
        raise CommuneFileError(
            [f"Aucun fichier de communes fourni pour le département {department_code}."]
        )
    return communes, postal


def _read(path: Path, columns: list[str]) -> list[dict]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise CommuneFileError(
                    [f"{path.name} : colonnes manquantes : {', '.join(missing)}."]
                )
            return list(reader)
    except UnicodeDecodeError as exc:
        raise CommuneFileError([f"{path.name} : le fichier doit être encodé en UTF-8."]) from exc
    except OSError as exc:
        raise CommuneFileError([f"{path.name} : lecture impossible ({exc.strerror})."]) from exc


def _decimal(value: str, low: int, high: int) -> Decimal | None:
    if value.strip() == "":
        return None
    number = Decimal(value)
    if not low <= number <= high:
        raise InvalidOperation
    return number.quantize(Decimal("0.00001"))


def parse_communes(
    path: Path, department_code: str
) -> tuple[list[CommuneRow], dict[str, set[str]]]:
    rows, errors, postal = [], [], {}
    seen = set()
    for line, record in enumerate(_read(path, COMMUNE_COLUMNS), start=2):
        insee = (record["insee_code"] or "").strip().upper()
        name = (record["name"] or "").strip()
        try:
            if not INSEE_RE.match(insee):
                raise ValueError(f"code INSEE « {insee} » invalide")
            if not insee.startswith(department_code):
                raise ValueError(
                    f"la commune {insee} n'est pas dans le département {department_code}"
                )
            if insee in seen:
                raise ValueError(f"code INSEE {insee} en double")
            if not name:
                raise ValueError("nom manquant")
            try:
                latitude = _decimal(record["latitude"] or "", -90, 90)
                longitude = _decimal(record["longitude"] or "", -180, 180)
            except InvalidOperation:
                raise ValueError("coordonnées invalides") from None
            population_text = (record["population"] or "").strip()
            if population_text and not POPULATION_RE.fullmatch(population_text):
                raise ValueError(f"population « {population_text} » invalide")
            code = (record["postal_code"] or "").strip()
            if code and not POSTAL_CODE_RE.fullmatch(code):
                raise ValueError(f"code postal « {code} » invalide")
        except ValueError as exc:
            errors.append(f"{path.name}, ligne {line} : {exc}.")
            continue
        seen.add(insee)
        rows.append(
            CommuneRow(
                insee, name, latitude, longitude, int(population_text) if population_text else None
            )
        )
        if code:
            postal.setdefault(insee, set()).add(code)
    if errors:
        raise CommuneFileError(errors)
    return rows, postal


def parse_postal_codes(path: Path, known: set[str]) -> dict[str, set[str]]:
    postal, errors = {}, []
    for line, record in enumerate(_read(path, POSTAL_COLUMNS), start=2):
        insee = (record["insee_code"] or "").strip().upper()
        code = (record["postal_code"] or "").strip()
        if insee not in known:
            errors.append(
                f"{path.name}, ligne {line} : commune {insee} absente du fichier des communes."
            )
        elif not POSTAL_CODE_RE.fullmatch(code):
            errors.append(f"{path.name}, ligne {line} : code postal « {code} » invalide.")
        else:
            postal.setdefault(insee, set()).add(code)
    if errors:
        raise CommuneFileError(errors)
    return postal


@transaction.atomic
def load_communes(
    department_code: str,
    communes_path: Path | None = None,
    postal_path: Path | None = None,
    epci_path: Path | None = None,
) -> int:
    """Create or update the communes of a department from CSV files; returns their count.

    The files are checked whole before anything is written: one bad line and nothing changes.
    The bundled files of a department include its intercommunalities (``epci-NN.csv``).
    """
    if communes_path is None:
        communes_path, postal_path = bundled_files(department_code)
        epci_path = bundled_epci_file(department_code)
    rows, postal = parse_communes(communes_path, department_code)
    known = {r.insee_code for r in rows}
    if postal_path is not None and postal_path.exists():
        for insee, codes in parse_postal_codes(postal_path, known).items():
            postal.setdefault(insee, set()).update(codes)
    membership = parse_epci(epci_path, known) if epci_path is not None else {}
    epcis = {}
    for code, name, kind in sorted(set(membership.values())):
        epcis[code], _ = Epci.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )

    existing = {
        c.insee_code: c
        for c in Commune.objects.filter(insee_code__in=[r.insee_code for r in rows])
    }
    for row in rows:
        commune = existing.get(row.insee_code) or Commune(insee_code=row.insee_code)
        commune.name = row.name
        commune.department_code = department_code
        commune.latitude = row.latitude
        commune.longitude = row.longitude
        commune.population = row.population
        if membership:
            commune.epci = (
                epcis[membership[row.insee_code][0]] if row.insee_code in membership else None
            )
        commune.save()
        existing[row.insee_code] = commune
    PostalCode.objects.filter(commune__in=existing.values()).delete()
    PostalCode.objects.bulk_create(
        PostalCode(commune=existing[insee], code=code)
        for insee, codes in sorted(postal.items())
        for code in sorted(codes)
    )
    return len(rows)
