"""« Données ouvertes »: the public page, the CSV and its Table Schema (no login)."""

import csv
import io
import json
import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind
from passnum.reporting.open_data import COMMUNE, PUBLIC_CODES, SMALL, TERRITORY, WITHHELD
from passnum.reporting.open_data_schema import COLUMN_NAMES, table_schema
from passnum.territories.services import load_communes
from tests.factories import ProgrammeFactory
from tests.reporting.opendata_data import TODAY, build_activity

from .test_public_pages import plain, text

PAGE = reverse("www:open_data")
CSV = reverse("www:open_data_csv")
SCHEMA = reverse("www:open_data_schema")
VISITORS = [None, *OrganisationKind]


@pytest.fixture
def today():
    """Publication day: the page and the files read ``timezone.localdate()``."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield TODAY


@pytest.fixture
def lozere(db, today):
    load_communes("48")
    programme = ProgrammeFactory(name="Pass numérique Lozère 2026-2028")
    build_activity(programme, people=30)
    return programme


def visitor(make_actor, kind) -> Client:
    client = Client()
    if kind is not None:
        client.force_login(make_actor(kind).user)
    return client


def read_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert not body.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(body, newline=""))
    assert reader.fieldnames == COLUMN_NAMES
    return list(reader)


# The Table Schema, checked by hand: types, required, enum, pattern, minimum, missing values.
def check_value(field: dict, value: str, missing: list[str]) -> None:
    constraints = field.get("constraints", {})
    if value in missing:
        assert not constraints.get("required"), f"{field['name']} manquant"
        return
    kind = field["type"]
    if kind == "integer":
        assert re.fullmatch(r"-?[0-9]+", value), (field["name"], value)
        if "minimum" in constraints:
            assert int(value) >= constraints["minimum"]
    elif kind == "yearmonth":
        assert re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value), value
    else:
        assert kind == "string"
    if "enum" in constraints:
        assert value in constraints["enum"], (field["name"], value)
    if "pattern" in constraints:
        assert re.fullmatch(constraints["pattern"], value), (field["name"], value)


def validate(rows: list[dict], schema: dict) -> None:
    keys = set()
    for row in rows:
        for field in schema["fields"]:
            check_value(field, row[field["name"]], schema["missingValues"])
        key = tuple(row[name] for name in schema["primaryKey"])
        assert key not in keys, f"clé primaire en double : {key}"
        keys.add(key)


@pytest.mark.parametrize("kind", VISITORS)
def test_anyone_reads_the_page_and_the_files(make_actor, kind, lozere):
    client = visitor(make_actor, kind)
    page = client.get(PAGE)
    assert page.status_code == 200
    content = plain(page)
    assert "Données ouvertes" in content
    assert lozere.name in content
    assert client.get(CSV).status_code == 200
    assert client.get(SCHEMA).status_code == 200


def test_the_page_shows_the_latest_months_and_the_rule(client, lozere):
    response = client.get(PAGE)
    content = plain(response)
    html = text(response)
    # the five published months (January to May), the latest detailed by commune
    for month in ("Janvier 2026", "Mai 2026"):
        assert month in content
    assert "Juin 2026" not in content
    assert "Par commune de résidence, mai 2026" in content
    assert "<caption>Personnes ayant reçu un chéquier, par public et par mois</caption>" in html
    feb = text(client.get(PAGE, {"mois": "2026-02"}))
    assert "<caption>Activité par commune de résidence et par public, février 2026" in feb
    assert re.search(r'<th scope="row"[^>]*>Bénéficiaire du rSa</th>', html)
    # the rule in plain French, the licence, the update, the links
    for words in (
        "tout nombre compris entre 1 et 4 est remplacé par « < 5 »",
        "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "Mise à jour",
        "est comptée dans chacun",
    ):
        assert words in content
    assert f'href="{CSV}"' in html
    assert f'href="{SCHEMA}"' in html
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in html


def test_a_chosen_month_is_detailed(client, lozere):
    content = plain(client.get(PAGE, {"mois": "2026-02"}))
    assert "Par commune de résidence, février 2026" in content
    # the six rSa people of Mende prescribed in February
    assert re.search(r"Mende \(48095\) Bénéficiaire du rSa (\d+)", content)


@pytest.mark.parametrize(
    "value",
    ["²", "2026-13", "2026-06", "1999-01", "", "2026-2", "9" * 40, "2026-02\x00", "../../"],
)
def test_a_bad_month_never_fails(client, lozere, value):
    response = client.get(PAGE, {"mois": value})
    assert response.status_code == 200
    content = plain(response)
    assert "Choisissez un mois de la liste." in content or "Ce mois n'est pas publié" in content
    # the latest month is shown instead
    assert "Par commune de résidence, mai 2026" in content


def test_other_parameters_are_ignored(client, lozere):
    response = client.get(PAGE + "?programme=²&mois=2026-03&mois=²&page=-1")
    assert response.status_code == 200
    csv_response = client.get(CSV + "?mois=²&programme=abc")
    assert csv_response.status_code == 200
    assert csv_response.content == client.get(CSV).content


def test_only_reading_is_allowed(client, lozere):
    assert client.post(PAGE).status_code == 405
    assert client.post(CSV).status_code == 405
    assert client.head(CSV).status_code == 200


def test_the_csv_parses_back_and_follows_its_schema(client, lozere):
    response = client.get(CSV)
    assert "max-age=3600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    rows = read_csv(response)
    schema = client.get(SCHEMA).json()
    assert schema == json.loads(json.dumps(table_schema()))
    assert [f["name"] for f in schema["fields"]] == COLUMN_NAMES
    validate(rows, schema)
    months = sorted({r["mois"] for r in rows})
    assert months == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    territory = [r for r in rows if r["niveau"] == TERRITORY]
    assert len(territory) == len(months) * len(PUBLIC_CODES)
    assert {r["programme"] for r in rows} == {lozere.name}
    values = {r[m] for r in rows for m in ("personnes_chequier", "pass_utilises")}
    assert SMALL in values
    assert values <= {SMALL, WITHHELD} | {str(n) for n in range(0, 1000) if not 1 <= n <= 4}
    assert any(r["niveau"] == COMMUNE and r["code_geo"] == "48095" for r in rows)


def test_the_csv_equals_the_published_table(client, lozere):
    """What the file says, read back, is what ``open_data`` computed (itself compared with a
    direct count in tests/reporting/test_open_data.py)."""
    from passnum.reporting.open_data import open_data

    [data] = open_data(today=TODAY)
    rows = read_csv(client.get(CSV))
    assert [
        (
            r["mois"],
            r["niveau"],
            r["code_geo"],
            r["public"],
            r["personnes_chequier"],
            r["pass_utilises"],
        )
        for r in rows
    ] == [
        (f"{r.month:%Y-%m}", r.level, r.geo_code, r.public, str(r.people), str(r.passes))
        for r in data.rows
    ]


def test_frictionless_validates_the_csv(client, lozere, tmp_path):
    """With frictionless installed (the places export's validation brings it), the file is
    valid against its schema."""
    frictionless = pytest.importorskip("frictionless")
    (tmp_path / "activite.csv").write_bytes(client.get(CSV).content)
    (tmp_path / "schema.json").write_bytes(client.get(SCHEMA).content)
    report = frictionless.validate(
        str(tmp_path / "activite.csv"), schema=str(tmp_path / "schema.json")
    )
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_without_any_programme(client, db, today):
    content = plain(client.get(PAGE))
    assert "Aucun mois n'est encore publié" in content
    rows = read_csv(client.get(CSV))
    assert rows == []


def test_the_public_navigation_and_the_footer_link_the_page(client, make_actor, db):
    html = text(client.get(reverse("www:home")))
    assert html.count(f'href="{PAGE}"') == 2  # menu and footer
    member = visitor(make_actor, OrganisationKind.OPERATOR)
    assert text(member.get(reverse("www:dashboard"))).count(f'href="{PAGE}"') == 1  # footer


def test_page_query_count_is_constant(client, db, today, django_assert_max_num_queries):
    load_communes("48")
    build_activity(ProgrammeFactory(name="Petit"), people=6, seed=2)
    with django_assert_max_num_queries(6):
        assert client.get(PAGE).status_code == 200
    build_activity(ProgrammeFactory(name="Grand"), people=30, seed=4)
    with django_assert_max_num_queries(6):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(CSV).status_code == 200
