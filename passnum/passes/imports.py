"""Import of an external operator's delivery file: serial, code, end date. All or nothing."""

import csv
import datetime
import io
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from passnum.common.exceptions import Conflict
from passnum.journal.enums import Action
from passnum.programmes.services import lock_programme

from . import codes, keys, transitions
from .enums import PassSource
from .exceptions import DeliveryFileInvalid
from .models import Pass
from .services import ensure_budget_buys

COLUMNS = {
    "serial": ("serial", "numero_serie", "numéro de série", "numero", "serie"),
    "code": ("code",),
    "end_date": ("end_date", "fin_validite", "fin de validité", "date_fin", "expires_on"),
}
SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")
MAX_LINES = 50_000


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DeliveryFileInvalid(["Le fichier n'est ni en UTF-8 ni en Windows-1252."])


def _header_map(header: list[str]) -> dict[str, int]:
    wanted = {}
    normalised = [h.strip().lower() for h in header]
    for field, names in COLUMNS.items():
        for index, name in enumerate(normalised):
            if name in names:
                wanted[field] = index
                break
    missing = [COLUMNS[f][0] for f in COLUMNS if f not in wanted]
    if missing:
        raise DeliveryFileInvalid(
            [
                "ligne 1 : colonnes attendues « serial, code, end_date » (ou « numero_serie, "
                f"code, fin_validite ») ; il manque : {', '.join(missing)}."
            ]
        )
    return wanted


def _read_rows(content: bytes | str, *, today: datetime.date) -> tuple[list, list]:
    """The good rows of a delivery file and the ``(line, message)`` of each bad one."""
    text = _decode(content)
    if not text.strip():
        raise DeliveryFileInvalid(["Le fichier est vide."])
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        columns = _header_map(next(reader))
        lines = list(enumerate(reader, start=2))
    except csv.Error as exc:  # e.g. a field of more than 128 kio, a NUL byte
        raise DeliveryFileInvalid(
            [f"ligne {reader.line_num} : le fichier n'est pas un CSV lisible ({exc})."]
        ) from None
    rows, errors, seen_serials, seen_codes = [], [], {}, {}
    for number, line in lines:
        if not any(cell.strip() for cell in line):
            continue
        if number > MAX_LINES:
            errors.append((number, f"Le fichier dépasse {MAX_LINES} lignes : découpez-le."))
            break
        if max(columns.values()) >= len(line):
            errors.append(
                (number, f"ligne {number} : il manque des colonnes (serial, code, end_date).")
            )
            continue
        serial = line[columns["serial"]].strip()
        raw_code = line[columns["code"]].strip()
        raw_date = line[columns["end_date"]].strip()
        problems = []
        if not SERIAL_RE.match(serial):
            problems.append(f"numéro de série « {serial} » invalide")
        elif serial in seen_serials:
            problems.append(
                f"numéro de série « {serial} » déjà présent ligne {seen_serials[serial]}"
            )
        else:
            seen_serials[serial] = number
        try:
            code = codes.normalise(raw_code)
        except codes.MalformedCode:
            code = None
            problems.append(f"code « {raw_code} » invalide (caractère ou symbole de contrôle)")
        else:
            if code in seen_codes:
                problems.append(f"code déjà présent ligne {seen_codes[code]}")
            else:
                seen_codes[code] = number
        end_date = _parse_date(raw_date)
        if end_date is None:
            problems.append(f"date de fin « {raw_date} » invalide (AAAA-MM-JJ ou JJ/MM/AAAA)")
        elif end_date <= today:
            problems.append(f"date de fin {end_date:%d/%m/%Y} déjà passée")
        if problems:
            errors.append((number, f"ligne {number} : " + " ; ".join(problems) + "."))
            continue
        rows.append({"line": number, "serial": serial, "code": code, "end_date": end_date})
    if not rows and not errors:
        raise DeliveryFileInvalid(["Le fichier ne contient aucun pass."])
    return rows, errors


def _refuse_if_any(errors: list[tuple[int, str]]) -> None:
    if errors:
        raise DeliveryFileInvalid([message for _, message in sorted(errors)])


def parse_delivery(content: bytes | str, *, today: datetime.date) -> list[dict]:
    """Rows of a delivery file, or ``DeliveryFileInvalid`` naming every bad line."""
    rows, errors = _read_rows(content, today=today)
    _refuse_if_any(errors)
    return rows


def _existing(field: str, values: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found.update(Pass.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return found


def import_passes(
    programme, content: bytes | str, *, actor=None, today=None, origin: dict | None = None
) -> list[Pass]:
    """Load a delivery file into the programme's stock: every line, or none."""
    today = today or timezone.localdate()
    rows, errors = _read_rows(content, today=today)
    for row in rows:
        row["digest"] = keys.digest(row["code"])
    with transaction.atomic():
        programme = lock_programme(programme)
        existing_serials = _existing("serial", [r["serial"] for r in rows])
        existing_digests = _existing("code_digest", [r["digest"] for r in rows])
        for row in rows:
            line = row["line"]
            if row["serial"] in existing_serials:
                errors.append((line, f"ligne {line} : le pass {row['serial']} existe déjà."))
            elif row["digest"] in existing_digests:
                errors.append((line, f"ligne {line} : ce code est déjà celui d'un autre pass."))
        _refuse_if_any(errors)
        ensure_budget_buys(programme, len(rows))
        try:
            with transaction.atomic():
                passes = _create(programme, rows)
        except IntegrityError as exc:  # a concurrent import or generation took a serial or code
            raise Conflict(
                "Un autre chargement de pass vient de prendre un de ces numéros ou codes : "
                "relancez l'import."
            ) from exc
        transitions.record_births(actor, passes, Action.IMPORTED, data=origin)
    return passes


def _create(programme, rows) -> list[Pass]:
    return Pass.objects.bulk_create(
        [
            Pass(
                programme=programme,
                serial=row["serial"],
                code_digest=row["digest"],
                code_encrypted=keys.encrypt(row["code"]),
                value_cents=programme.pass_value_cents,
                source=PassSource.IMPORTED,
                stock_expires_on=row["end_date"],
            )
            for row in rows
        ],
        batch_size=1000,
    )
