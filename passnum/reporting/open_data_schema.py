"""The Table Schema (frictionless) of the open data CSV, served at
``/donnees-ouvertes/schema.json`` and described on ``/donnees-ouvertes/``."""

from dataclasses import dataclass, field

from .open_data import (
    COMMUNE,
    MEASURES,
    PASSES,
    PEOPLE,
    PUBLIC_CODES,
    PUBLIC_LABELS,
    SMALL,
    TERRITORY,
    TERRITORY_NAME,
    WITHHELD,
    Row,
)

SCHEMA_VERSION = "1.0.0"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# INSEE code of a commune (2A/2B for Corsica) or of a department.
GEO_CODE_PATTERN = r"^([0-9][0-9AB][0-9]{3}|0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$"
COUNT_NOTE = (
    f"« {SMALL} » : entre 0 et 4 (un nombre de 1 à 4, ou un 0 masqué pour protéger une autre "
    f"case). « {WITHHELD} » : non publié, quelle que soit la valeur : le détail par commune "
    "d'un total du département inférieur à 5, ou un total du département qui permettrait de "
    "retrouver une case masquée (secret statistique)."
)


TYPE_LABELS = {"string": "texte", "integer": "nombre entier", "yearmonth": "mois (AAAA-MM)"}


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    type: str
    description: str
    example: str
    constraints: dict = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]

    @property
    def allowed(self) -> list[str]:
        """The codes a column allows, as listed on the page (the labels' list is left out)."""
        return [] if self.name == "libelle_public" else self.constraints.get("enum", [])

    def as_field(self) -> dict:
        described = {
            "name": self.name,
            "title": self.title,
            "type": self.type,
            "description": self.description,
            "example": self.example,
            "constraints": self.constraints,
        }
        return described


COLUMNS = [
    Column(
        "programme",
        "Programme",
        "string",
        "Nom du programme Pass numérique (un territoire, une période, une enveloppe).",
        "Pass numérique Lozère 2026-2028",
        {"required": True},
    ),
    Column(
        "mois",
        "Mois",
        "yearmonth",
        "Mois civil, terminé, auquel se rapportent les comptages (AAAA-MM).",
        "2026-03",
        {"required": True},
    ),
    Column(
        "niveau",
        "Niveau géographique",
        "string",
        f"« {COMMUNE} » : une commune de résidence ; « {TERRITORY} » : le total de toutes les "
        "communes du territoire du programme, pour ce mois et ce public.",
        COMMUNE,
        {"required": True, "enum": [COMMUNE, TERRITORY]},
    ),
    Column(
        "code_geo",
        "Code géographique",
        "string",
        "Code INSEE de la commune de résidence des personnes (niveau « commune »), ou code du "
        "département (niveau « departement »).",
        "48095",
        {"required": True, "pattern": GEO_CODE_PATTERN},
    ),
    Column(
        "nom_geo",
        "Nom du lieu",
        "string",
        f"Nom de la commune, ou « {TERRITORY_NAME} ».",
        "Mende",
        {"required": True},
    ),
    Column(
        "public",
        "Public",
        "string",
        "Code du public prioritaire ; « hors_public_prioritaire » pour les personnes sans "
        "aucun public prioritaire. Une personne qui relève de plusieurs publics est comptée "
        "dans chacun : les lignes d'une même commune ne s'additionnent pas.",
        "rsa",
        {"required": True, "enum": list(PUBLIC_CODES)},
    ),
    Column(
        "libelle_public",
        "Libellé du public",
        "string",
        "Libellé du public en clair.",
        PUBLIC_LABELS["rsa"],
        {"required": True, "enum": [PUBLIC_LABELS[code] for code in PUBLIC_CODES]},
    ),
    Column(
        PEOPLE,
        "Personnes ayant reçu un chéquier",
        "integer",
        "Nombre de personnes qui ont reçu un chéquier de Pass numérique dans le mois (date "
        "de délivrance du chéquier), comptées une fois même si elles en ont reçu deux. "
        + COUNT_NOTE,
        "12",
        {"minimum": 0},
    ),
    Column(
        PASSES,
        "Pass utilisés",
        "integer",
        "Nombre de pass utilisés dans le mois, selon la date de la séance : pass encaissés "
        "ou remboursés, hors séances annulées. " + COUNT_NOTE,
        "37",
        {"minimum": 0},
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
assert set(MEASURES) <= set(COLUMN_NAMES)


def table_schema() -> dict:
    """The Table Schema of ``activite.csv``."""
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": "passnum-activite",
        "title": "Activité du Pass numérique par mois, commune et public",
        "description": (
            "Personnes ayant reçu un chéquier et pass utilisés, par programme, mois terminé, "
            "commune de résidence des personnes et public prioritaire, avec le total du "
            "département pour chaque mois et chaque public. Secret statistique : les comptages "
            f"de 1 à 4 sont remplacés par « {SMALL} » ; un total du département inférieur à 5 "
            f"est publié sans son détail par commune (« {WITHHELD} ») ; ailleurs, une case "
            "nulle de la même ligne (mois × public × mesure), choisie dans un ordre tenu "
            f"secret, est aussi remplacée par « {SMALL} », pour qu'aucune case masquée ne se "
            "déduise du total ; sans case nulle, le total n'est pas publié "
            f"(« {WITHHELD} »)."
        ),
        "version": SCHEMA_VERSION,
        "licenses": [LICENCE],
        "missingValues": ["", SMALL, WITHHELD],
        "primaryKey": ["programme", "mois", "niveau", "code_geo", "public"],
        "fields": [column.as_field() for column in COLUMNS],
    }


def csv_value(value) -> str:
    return str(value)


def csv_record(row: Row) -> list[str]:
    """One row of the CSV, in the order of ``COLUMNS``."""
    return [
        row.programme,
        f"{row.month:%Y-%m}",
        row.level,
        row.geo_code,
        row.geo_name,
        row.public,
        row.public_label,
        csv_value(row.people),
        csv_value(row.passes),
    ]
