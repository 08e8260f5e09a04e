"""``GET /api/v1/exports/{name}`` (streamed) and the jobs (``POST /exports/{name}/jobs``,
``GET /exports/jobs/{id}``, ``GET /exports/jobs/{id}/file``): who may, what comes back, bad
input, queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from passnum.organisations.enums import OrganisationKind
from passnum.reporting.enums import ExportName
from passnum.reporting.exports import EXPORTS
from passnum.reporting.models import ExportFile
from passnum.reporting.periods import Period
from passnum.reporting.services import request_export
from passnum.reporting.writers import csv_chunks
from tests.factories import MembershipFactory, ProgrammeFactory
from tests.reporting.activity import SECRET_EMAIL, SECRET_LAST_NAME, build_activity
from tests.tasks import run_tasks

Kind = OrganisationKind
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def activity(programme):
    return build_activity(programme)


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (Kind.REFERRER, set()),
        (Kind.DEPARTMENT, {"referrals"}),
        (Kind.PROVIDER, set()),
        (Kind.OPERATOR, set(ExportName.values)),
        (Kind.FUNDER, set()),
    ],
)
def test_who_may_download_which_export(api_as, activity, kind, allowed):
    client, _ = api_as(kind)
    for name in ExportName.values:
        response = client.get(f"/api/v1/exports/{name}?format=csv")
        if name in allowed:
            assert response.status_code == 200
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert len(csv_rows(response)) > 1
        else:
            assert response.status_code == 403, name
            assert response.json()["code"] == "forbidden"
        job = client.post(
            f"/api/v1/exports/{name}/jobs", {"format": "csv"}, content_type="application/json"
        )
        assert job.status_code == (202 if name in allowed else 403)


def test_without_a_token(client):
    assert client.get("/api/v1/exports/referrals").status_code == 401


@pytest.mark.parametrize("name", ExportName.values)
def test_the_csv_equals_the_rows(api_as, activity, name):
    client, _ = api_as(Kind.OPERATOR, organisation=activity.operator.organisation)
    response = client.get(f"/api/v1/exports/{name}?format=csv")
    expected = b"".join(csv_chunks(EXPORTS[name].rows(activity.programme)))
    assert body(response) == expected
    assert response["Content-Disposition"] == (
        f'attachment; filename="passnum-{EXPORTS[name].slug}.csv"'
    )
    text = expected.decode()
    assert SECRET_LAST_NAME not in text
    assert SECRET_EMAIL not in text


def test_the_xlsx_by_default(api_as, activity):
    client, _ = api_as(Kind.DEPARTMENT)
    response = client.get("/api/v1/exports/referrals?from=2026-01-01")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    content = body(response)
    assert int(response["Content-Length"]) == len(content)
    assert 'filename="passnum-orientations_du-2026-01-01.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book["Orientations"].iter_rows(values_only=True))
    book.close()
    assert rows[0] == EXPORTS["referrals"].rows(activity.programme).__next__()
    assert [r[0] for r in rows[1:]] == [
        activity.prescribed[0].pk,
        activity.prescribed[1].pk,
        activity.pending.pk,
        activity.rejected.pk,
    ]
    text = " ".join(str(cell) for row in rows for cell in row)
    assert SECRET_LAST_NAME not in text
    assert SECRET_EMAIL not in text


def test_the_period_filters(api_as, activity):
    client, _ = api_as(Kind.OPERATOR)
    response = client.get("/api/v1/exports/sessions?format=csv&from=2020-01-01&to=2020-12-31")
    assert csv_rows(response)[1:] == []


def test_two_programmes_do_not_mix(api_as, activity):
    other = build_activity(ProgrammeFactory(), people=1, label="B")
    client, _ = api_as(Kind.OPERATOR)
    for name in ExportName.values:
        text = body(client.get(f"/api/v1/exports/{name}?format=csv")).decode()
        assert "Mission Locale B" not in text
        assert "France services B" not in text
    mine = {r[0] for r in csv_rows(client.get("/api/v1/exports/passes?format=csv"))[1:]}
    theirs = {p.serial for p in other.programme.passes.all()}
    assert mine
    assert not mine & theirs


@pytest.mark.parametrize(
    ("query", "code", "detail"),
    [
        (
            "/personnes",
            "unknown_export",
            "Export inconnu : « personnes » (attendu : referrals, passes, sessions, statements).",
        ),
        (
            "/passes?format=pdf",
            "unknown_format",
            "Format inconnu : « pdf » (attendu : xlsx, csv).",
        ),
        (
            "/passes?from=2026-02-30",
            "invalid_date",
            "La date de début « 2026-02-30 » n'est pas une date valide (AAAA-MM-JJ).",
        ),
        (
            "/passes?to=31/12/2026",
            "invalid_date",
            "La date de fin « 31/12/2026 » n'est pas une date valide (AAAA-MM-JJ).",
        ),
        (
            "/passes?from=2026-03-01&to=2026-02-01",
            "invalid_period",
            "La date de début de la période est postérieure à sa date de fin.",
        ),
    ],
)
def test_bad_input_is_a_422_in_french(api_as, query, code, detail):
    client, _ = api_as(Kind.OPERATOR)
    response = client.get(f"/api/v1/exports{query}")
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["detail"]) == (code, detail)
    job = client.post(
        f"/api/v1/exports{query.split('?')[0]}/jobs",
        {"format": "pdf"} if "pdf" in query else {"to": "2026-02-01", "from": "2026-03-01"},
        content_type="application/json",
    )
    assert job.status_code == 422
    assert not ExportFile.objects.exists()


@pytest.mark.parametrize("name", ExportName.values)
def test_queries_do_not_grow_with_the_rows(api_as, programme, name):
    client, _ = api_as(Kind.OPERATOR)
    build_activity(programme, people=1)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            body(client.get(f"/api/v1/exports/{name}?format=csv"))
        return len(captured)

    few = queries()
    build_activity(programme, people=5, label="B")
    assert queries() == few <= 3  # the token, the programme, the rows


def test_a_job_from_queued_to_its_file(api_as, activity):
    client, _actor = api_as(Kind.OPERATOR)
    made = client.post(
        "/api/v1/exports/statements/jobs",
        {"format": "csv", "from": "2026-01-01"},
        content_type="application/json",
    )
    assert made.status_code == 202
    job = made.json()
    assert job | {"id": 0, "created_at": ""} == {
        "id": 0,
        "name": "statements",
        "format": "csv",
        "from": "2026-01-01",
        "to": None,
        "status": "queued",
        "rows_done": 0,
        "rows_total": None,
        "size_bytes": 0,
        "filename": "passnum-releves_du-2026-01-01.csv",
        "error": "",
        "created_at": "",
        "finished_at": None,
        "file_url": None,
    }
    early = client.get(f"/api/v1/exports/jobs/{job['id']}/file")
    assert (early.status_code, early.json()["code"]) == (409, "export_not_ready")
    assert run_tasks() == 1
    done = client.get(f"/api/v1/exports/jobs/{job['id']}").json()
    assert (done["status"], done["rows_done"], done["rows_total"]) == ("done", 1, 1)
    assert done["file_url"] == f"/api/v1/exports/jobs/{job['id']}/file"
    file = client.get(done["file_url"])
    assert file["Content-Type"] == "text/csv; charset=utf-8"
    assert body(file) == b"".join(csv_chunks(EXPORTS["statements"].rows(activity.programme)))
    assert int(file["Content-Length"]) == done["size_bytes"]


def test_a_job_of_another_programme_is_not_found(api_as, activity):
    other = build_activity(ProgrammeFactory(), people=1, label="B")
    client, _ = api_as(Kind.OPERATOR)
    theirs = other.operator
    export = request_export(theirs, "passes", "csv", Period())
    run_tasks()
    for url in (f"/api/v1/exports/jobs/{export.pk}", f"/api/v1/exports/jobs/{export.pk}/file"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "export_not_found")


def test_the_department_cannot_read_the_operators_pass_job(api_as, activity):
    export = request_export(activity.operator, "passes", "csv", Period())
    member = MembershipFactory(organisation=activity.department.organisation)
    client, _ = api_as(Kind.DEPARTMENT, organisation=member.organisation)
    assert client.get(f"/api/v1/exports/jobs/{export.pk}").status_code == 403
    mine = request_export(activity.department, "referrals", "csv", Period())
    assert client.get(f"/api/v1/exports/jobs/{mine.pk}").json()["status"] == "queued"
