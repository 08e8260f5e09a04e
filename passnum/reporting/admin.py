from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import ExportFile


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdmin):
    """The exports made in the background, read-only (their content is downloaded from the
    « Exports » page, by the roles allowed)."""

    list_display = [
        "pk",
        "name",
        "format",
        "status",
        "rows_done",
        "rows_total",
        "size_bytes",
        "created_at",
        "organisation",
        "programme",
    ]
    list_filter = ["status", "name", "programme"]
    list_select_related = ["organisation", "programme"]
