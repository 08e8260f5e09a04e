"""Export files made in the background: queued on commit, made by the real worker of the real
database backend (django-tasks-db), their progress, their content stored by pieces, failures,
and ``passnum daily`` deleting the old ones."""

import csv
import dataclasses
import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from passnum.common.exceptions import NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.reporting import tasks
from passnum.reporting.enums import ExportFormat, ExportName, ExportStatus
from passnum.reporting.exports import EXPORTS
from passnum.reporting.models import ExportChunk, ExportFile
from passnum.reporting.periods import Period
from passnum.reporting.selectors import export_content
from passnum.reporting.services import purge_exports, request_export
from passnum.reporting.writers import csv_chunks
from tests.reporting.activity import build_activity
from tests.tasks import commit, run_tasks

Kind = OrganisationKind
pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(programme):
    return build_activity(programme, people=3)


def content(export) -> bytes:
    return b"".join(export_content(export))


def test_asking_queues_a_task_on_commit_only(activity):
    export = request_export(activity.operator, "passes", "csv", Period())
    assert (export.status, export.rows_done, export.rows_total) == ("queued", 0, None)
    assert export.filename == "passnum-pass.csv"
    assert (export.organisation, export.requested_by) == (
        activity.operator.organisation,
        activity.operator.user,
    )
    assert not DBTaskResult.objects.exists()  # not before the commit
    commit()
    task = DBTaskResult.objects.get()
    assert (task.queue_name, task.status) == ("exports", TaskResultStatus.READY)
    assert task.task_path == "passnum.reporting.tasks.make_export_file"
    assert task.args_kwargs == {"args": [export.pk], "kwargs": {}}  # nothing else
    export.refresh_from_db()
    assert export.task_id == task.id


@pytest.mark.parametrize("name", list(ExportName))
def test_the_worker_makes_the_csv_file_the_direct_download_would(activity, name):
    period = Period(timezone.localdate().replace(day=1), None)
    export = request_export(activity.operator, name, "csv", period)
    assert run_tasks() == 1
    export.refresh_from_db()
    expected = b"".join(csv_chunks(EXPORTS[name].rows(activity.programme, period)))
    lines = len(list(csv.reader(io.StringIO(expected.decode()))))
    assert (export.status, export.rows_done, export.rows_total) == ("done", lines - 1, lines - 1)
    assert export.size_bytes == len(expected)
    assert export.started_at
    assert export.finished_at
    assert not export.error
    assert content(export) == expected
    task = DBTaskResult.objects.get()
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "done")


def test_the_worker_makes_an_xlsx_file(activity):
    export = request_export(activity.department, "referrals", "xlsx", Period())
    run_tasks()
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    book = load_workbook(io.BytesIO(content(export)), read_only=True)
    rows = list(book["Orientations"].iter_rows(values_only=True))
    book.close()
    expected = list(EXPORTS[ExportName.REFERRALS].rows(activity.programme))
    assert rows[0] == expected[0]
    assert [row[0] for row in rows[1:]] == [row[0] for row in expected[1:]]
    assert export.rows_total == len(expected) - 1 == 5


def test_a_large_file_is_stored_in_pieces_and_read_back_whole(activity, monkeypatch):
    monkeypatch.setattr(tasks, "CHUNK_BYTES", 100)
    export = request_export(activity.operator, "passes", "csv", Period())
    run_tasks()
    export.refresh_from_db()
    pieces = list(ExportChunk.objects.filter(export=export).values_list("index", flat=True))
    assert pieces == list(range(len(pieces)))
    assert len(pieces) > 10
    assert content(export) == b"".join(csv_chunks(EXPORTS["passes"].rows(activity.programme)))


def test_progress_is_written_as_the_rows_go(activity, monkeypatch):
    """Read from the database as each row is written: the total first, then every 4 rows."""
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 4)
    spec = EXPORTS[ExportName.PASSES]
    seen = []

    def watched(programme, period, **kwargs):
        for row in spec.rows(programme, period, **kwargs):
            seen.append(ExportFile.objects.values_list("rows_done", "rows_total").get())
            yield row

    monkeypatch.setitem(EXPORTS, ExportName.PASSES, dataclasses.replace(spec, rows=watched))
    export = request_export(activity.operator, "passes", "csv", Period())
    run_tasks()
    export.refresh_from_db()
    assert export.rows_total == export.rows_done == 18  # 3 checkbooks of 5, 3 in stock
    assert [total for _, total in seen] == [18] * 19
    assert [done for done, _ in seen] == [0] * 5 + [4] * 4 + [8] * 4 + [12] * 4 + [16] * 2


def test_a_failure_is_kept_in_french_and_logged(activity, caplog):
    export = request_export(activity.operator, "sessions", "xlsx", Period())
    with mock.patch("passnum.reporting.tasks.write_file", side_effect=RuntimeError("disque")):
        run_tasks()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error.startswith("L'export n'a pas pu être produit (erreur imprévue).")
    assert export.finished_at is not None
    assert not ExportChunk.objects.filter(export=export).exists()
    assert f"Export n° {export.pk} (sessions) en échec" in caplog.text
    assert DBTaskResult.objects.get().return_value == "failed"


def test_a_file_no_longer_queued_is_not_made_twice(activity):
    export = request_export(activity.operator, "passes", "csv", Period())
    run_tasks()
    assert tasks.make(export.pk) == "skipped"
    assert tasks.make(10**9) == "skipped"
    assert ExportChunk.objects.filter(export=export).count() == 1


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (Kind.DEPARTMENT, "passes"),
        (Kind.DEPARTMENT, "statements"),
        (Kind.REFERRER, "referrals"),
        (Kind.PROVIDER, "sessions"),
        (Kind.FUNDER, "referrals"),
    ],
)
def test_asking_is_refused_to_a_role_without_the_export(make_actor, kind, name):
    with pytest.raises(NotAllowed):
        request_export(make_actor(kind), name, "csv", Period())
    assert not ExportFile.objects.exists()


def test_an_unknown_format_is_refused_in_french(activity):
    from passnum.common.exceptions import InvalidInput

    with pytest.raises(InvalidInput, match="Format inconnu : « pdf » \\(attendu : xlsx, csv\\)"):
        request_export(activity.operator, "passes", "pdf", Period())
    assert not ExportFile.objects.exists()


# --- Purge (passnum daily) -------------------------------------------------------------------


def aged(export, days=0, hours=0):
    moment = timezone.now() - datetime.timedelta(days=days, hours=hours)
    ExportFile.objects.filter(pk=export.pk).update(created_at=moment)


def test_files_older_than_seven_days_are_deleted_with_their_content(activity):
    today = timezone.localdate()
    old = request_export(activity.operator, "passes", ExportFormat.CSV, Period())
    recent = request_export(activity.operator, "sessions", ExportFormat.CSV, Period())
    run_tasks()
    aged(old, days=8)
    aged(recent, days=6)
    assert purge_exports(today) == "1 fichier d'export de plus de 7 jours supprimé"
    assert list(ExportFile.objects.all()) == [recent]
    assert set(ExportChunk.objects.values_list("export", flat=True)) == {recent.pk}
    assert purge_exports(today) == ""  # twice: nothing more


def test_a_file_whose_task_was_lost_is_marked_failed(activity):
    lost = request_export(activity.operator, "passes", ExportFormat.CSV, Period())
    waiting = request_export(activity.operator, "sessions", ExportFormat.CSV, Period())
    aged(lost, hours=7)
    aged(waiting, hours=1)
    assert purge_exports(timezone.localdate()) == "1 export interrompu marqué en échec"
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == ExportStatus.FAILED
    assert lost.error.startswith("L'export n'a pas abouti")
    assert waiting.status == ExportStatus.QUEUED


def test_passnum_daily_deletes_the_old_files(activity):
    old = request_export(activity.operator, "passes", ExportFormat.CSV, Period())
    aged(old, days=30)
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "1 fichier d'export de plus de 7 jours supprimé" in out.getvalue()
    assert not ExportFile.objects.exists()
