"""« Données ouvertes » (no login): the programme's activity by month × commune × public, the
CSV and its Table Schema. The rule of statistical secrecy is in ``reporting/open_data.py``."""

import csv
import io
from dataclasses import dataclass

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from passnum.common.templatetags.passnum import number
from passnum.common.text import spreadsheet_safe
from passnum.reporting.open_data import (
    COMMUNE,
    PUBLIC_CODES,
    PUBLIC_LABELS,
    SMALL,
    TERRITORY,
    WITHHELD,
    open_data,
)
from passnum.reporting.open_data_schema import COLUMN_NAMES, COLUMNS, csv_record, table_schema
from passnum.statements.periods import month_label

from .forms import MonthForm

# The months summed up over the territory on the page (the CSV holds them all).
MONTHS_SHOWN = 6
# The data changes at most once a day (late declarations of past sessions): shared caches may
# keep the files an hour.
FILE_MAX_AGE = 3600


def shown(value) -> str:
    """A published value as read on the page: « 1 234 », « < 5 », « secret »."""
    return number(value) if isinstance(value, int) else value


@dataclass(frozen=True)
class SummaryLine:
    label: str
    values: list[str]


@dataclass(frozen=True)
class CommuneLine:
    name: str
    code: str
    public: str
    people: str
    passes: str


def summary(rows, months, attribute) -> list[SummaryLine]:
    """Per public, the territory's totals of the ``months``."""
    totals = {
        (row.public, row.month): getattr(row, attribute) for row in rows if row.level == TERRITORY
    }
    return [
        SummaryLine(PUBLIC_LABELS[public], [shown(totals[public, month]) for month in months])
        for public in PUBLIC_CODES
    ]


def programme_view(data, chosen):
    month = chosen if chosen in data.months else data.months[-1]
    recent = data.months[-MONTHS_SHOWN:]
    return {
        "programme": data.programme,
        "months": [month_label(m) for m in recent],
        "tables": [
            {
                "caption": "Personnes ayant reçu un chéquier",
                "lines": summary(data.rows, recent, "people"),
            },
            {"caption": "Pass utilisés", "lines": summary(data.rows, recent, "passes")},
        ],
        "month": month_label(month),
        "active": any(
            row.people != 0 or row.passes != 0
            for row in data.rows
            if row.level == TERRITORY and row.month == month
        ),
        "communes": [
            CommuneLine(
                row.geo_name, row.geo_code, row.public_label, shown(row.people), shown(row.passes)
            )
            for row in data.rows
            if row.level == COMMUNE and row.month == month
        ],
    }


@require_safe
def open_data_page(request):
    published = open_data()
    months = sorted({m for data in published for m in data.months}, reverse=True)
    form = MonthForm(
        request.GET if "mois" in request.GET else None,
        months=months,
        initial={"mois": f"{months[0]:%Y-%m}"} if months else None,
    )
    chosen = None
    if form.is_bound and form.is_valid():
        chosen = next(m for m in months if f"{m:%Y-%m}" == form.cleaned_data["mois"])
    return render(
        request,
        "www/opendata/index.html",
        {
            "title": "Données ouvertes",
            "form": form,
            "programmes": [programme_view(data, chosen) for data in published],
            "columns": COLUMNS,
            "small": SMALL,
            "withheld": WITHHELD,
        },
    )


@require_safe
@cache_control(public=True, max_age=FILE_MAX_AGE)
def activity_csv(request):
    """Every published row of every programme (query parameters are ignored)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for data in open_data():
        for row in data.rows:
            writer.writerow([spreadsheet_safe(value) for value in csv_record(row)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="activite.csv"'
    return response


@require_safe
@cache_control(public=True, max_age=FILE_MAX_AGE)
def schema_json(request):
    return JsonResponse(
        table_schema(),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        content_type="application/json; charset=utf-8",
    )
