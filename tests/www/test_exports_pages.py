"""« Exports » (``/espace/exports/``): who sees it, a small export sent at once, a large one made
in the background with its progress and its download link, bad periods, and the files of other
programmes or of exports the role may not make."""

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from passnum.organisations.enums import OrganisationKind
from passnum.reporting.enums import ExportStatus
from passnum.reporting.exports import EXPORTS
from passnum.reporting.models import ExportFile
from passnum.reporting.periods import Period
from passnum.reporting.services import request_export
from passnum.reporting.writers import csv_chunks
from tests.factories import ProgrammeFactory
from tests.reporting.activity import SECRET_EMAIL, SECRET_LAST_NAME, build_activity, member
from tests.tasks import run_tasks

Kind = OrganisationKind
URL = "/espace/exports/"


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def plain(response) -> str:
    without_tags = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", without_tags)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def activity(programme):
    return build_activity(programme)


def test_the_page_is_in_the_menu_of_the_operator_and_the_department_only(programme):
    for kind in Kind:
        page = logged_in(member(programme, kind)).get(reverse("www:dashboard"))
        shown = f'href="{URL}"' in page.content.decode()
        assert shown == (kind in (Kind.OPERATOR, Kind.DEPARTMENT)), kind


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.PROVIDER, Kind.FUNDER])
def test_other_roles_are_refused(programme, kind):
    client = logged_in(member(programme, kind))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"name": "referrals", "format": "csv"})
    assert response.status_code == 403
    assert "Votre rôle ne donne accès à aucun export." in plain(response)


def test_the_operator_chooses_among_every_export(activity):
    page = logged_in(activity.operator).get(URL)
    text = plain(page)
    for export in EXPORTS.values():
        assert f'value="{export.name.value}"' in page.content.decode()
        assert export.label in text
    assert "Aucun export préparé en arrière-plan ces 7 derniers jours." in text


def test_the_department_chooses_the_referrals_only(activity):
    client = logged_in(activity.department)
    page = client.get(URL)
    assert 'value="referrals"' in page.content.decode()
    assert 'value="passes"' not in page.content.decode()
    refused = client.post(URL, {"name": "passes", "format": "csv"})
    assert "Cet export n'existe pas ou ne vous est pas ouvert." in plain(refused)
    assert not ExportFile.objects.exists()


def test_a_small_export_is_sent_at_once(activity):
    response = logged_in(activity.department).post(
        URL, {"name": "referrals", "format": "csv", "from": "2026-01-01", "to": ""}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="passnum-orientations_du-2026-01-01.csv"'
    )
    data = body(response)
    assert data == b"".join(csv_chunks(EXPORTS["referrals"].rows(activity.programme)))
    rows = list(csv.reader(io.StringIO(data.decode()[1:]), delimiter=";"))
    assert len(rows) == 1 + 4
    assert SECRET_LAST_NAME not in data.decode()
    assert SECRET_EMAIL not in data.decode()
    assert not ExportFile.objects.exists()


def test_a_small_xlsx_is_sent_at_once(activity):
    response = logged_in(activity.operator).post(URL, {"name": "statements", "format": "xlsx"})
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    rows = list(book["Relevés"].iter_rows(values_only=True))
    book.close()
    assert rows[0][:3] == ("N° de relevé", "Structure", "SIRET")
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            {"from": "2026-02-30"},
            "La date de début « 2026-02-30 » n'est pas une date valide (AAAA-MM-JJ).",
        ),
        (
            {"from": "2026-03-01", "to": "2026-02-01"},
            "La date de début de la période est postérieure à sa date de fin.",
        ),
        ({"to": "1999-12-31"}, "La date de fin doit être comprise entre 2000 et 2100."),
    ],
)
def test_a_bad_period_is_explained_and_nothing_is_made(activity, period, message):
    response = logged_in(activity.operator).post(
        URL, {"name": "passes", "format": "csv", **period}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in plain(response)
    assert not ExportFile.objects.exists()


def test_a_large_export_is_made_in_the_background(activity, settings):
    settings.PASSNUM_EXPORT_DIRECT_MAX_ROWS = {"csv": 100, "xlsx": 5}
    client = logged_in(activity.operator)
    response = client.post(URL, {"name": "passes", "format": "xlsx"}, follow=True)
    export = ExportFile.objects.get()
    assert (export.name, export.format, export.status) == ("passes", "xlsx", "queued")
    text = plain(response)
    assert f"Export n° {export.pk} en préparation (13 lignes)" in text
    assert f"n° {export.pk} — Pass (XLSX)" in text
    assert "En file" in text
    assert "Actualiser l'avancement" in text
    assert 'data-en-cours="oui"' in response.content.decode()
    assert reverse("www:export_file", args=[export.pk]) not in response.content.decode()

    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, rows_total=13, rows_done=4
    )
    running = client.get(URL)
    assert "4 lignes sur 13 (30 %)" in plain(running)
    assert 'value="30"' in running.content.decode()
    ExportFile.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED, rows_done=0)

    run_tasks()
    ready = client.get(URL)
    link = reverse("www:export_file", args=[export.pk])
    assert link in ready.content.decode()
    assert "Prêt" in plain(ready)
    assert "13 lignes" in plain(ready)
    assert 'data-en-cours="non"' in ready.content.decode()
    assert "Actualiser l'avancement" not in plain(ready)

    file = client.get(link)
    assert file["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert file["Content-Disposition"] == 'attachment; filename="passnum-pass.xlsx"'
    book = load_workbook(io.BytesIO(body(file)), read_only=True)
    serials = [row[0] for row in book["Pass"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert serials == list(
        activity.programme.passes.order_by("serial").values_list("serial", flat=True)
    )


def test_a_failed_export_says_why(activity):
    export = request_export(activity.operator, "sessions", "csv", Period())
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error="L'export n'a pas abouti."
    )
    text = plain(logged_in(activity.operator).get(URL))
    assert "En échec" in text
    assert "L'export n'a pas abouti." in text


def test_a_file_not_ready_is_not_found(activity):
    export = request_export(activity.operator, "sessions", "csv", Period())
    response = logged_in(activity.operator).get(reverse("www:export_file", args=[export.pk]))
    assert response.status_code == 404


def test_another_programmes_file_is_not_found(activity):
    other = build_activity(ProgrammeFactory(), people=1, label="B")
    theirs = request_export(other.operator, "passes", "csv", Period())
    run_tasks()
    client = logged_in(activity.operator)
    assert client.get(reverse("www:export_file", args=[theirs.pk])).status_code == 404
    assert f"n° {theirs.pk} —" not in plain(client.get(URL))
    assert client.get(reverse("www:export_file", args=[2**70])).status_code == 404


def test_the_department_sees_only_referrals_files_and_cannot_take_the_others(activity):
    passes = request_export(activity.operator, "passes", "csv", Period())
    referrals = request_export(activity.operator, "referrals", "csv", Period())
    run_tasks()
    client = logged_in(activity.department)
    text = plain(client.get(URL))
    assert f"n° {referrals.pk} — Orientations" in text
    assert f"n° {passes.pk} —" not in text
    assert client.get(reverse("www:export_file", args=[passes.pk])).status_code == 403
    assert client.get(reverse("www:export_file", args=[referrals.pk])).status_code == 200


def test_the_page_reads_a_constant_number_of_queries(activity):
    client = logged_in(activity.operator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    request_export(activity.operator, "passes", "csv", Period())
    few = queries()
    for name in ("sessions", "statements", "referrals", "passes", "sessions"):
        request_export(activity.operator, name, "xlsx", Period())
    run_tasks()
    assert queries() == few


def test_the_direct_download_reads_a_constant_number_of_queries(activity):
    client = logged_in(activity.operator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            body(client.post(URL, {"name": "sessions", "format": "csv"}))
        return len(captured)

    few = queries()
    build_activity(activity.programme, people=4, label="B")
    assert queries() == few


def test_the_threshold_is_per_format(activity, settings):
    """13 passes: above the XLSX threshold, below the CSV one."""
    settings.PASSNUM_EXPORT_DIRECT_MAX_ROWS = {"csv": 13, "xlsx": 12}
    client = logged_in(activity.operator)
    direct = client.post(URL, {"name": "passes", "format": "csv"})
    assert direct["Content-Type"] == "text/csv; charset=utf-8"
    assert len(body(direct).decode().splitlines()) == 1 + 13
    assert not ExportFile.objects.exists()
    queued = client.post(URL, {"name": "passes", "format": "xlsx"})
    assert queued.status_code == 302
    assert ExportFile.objects.get().format == "xlsx"
    page = client.get(URL)
    assert "Jusqu'à 12 lignes en XLSX et 13 lignes en CSV" in plain(page)
