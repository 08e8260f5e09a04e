from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import Statement


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["pk", "organisation", "period", "status", "validated_at", "paid_on"]
    list_filter = ["status", "programme"]
    list_select_related = ["organisation"]
