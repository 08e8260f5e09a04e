from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import Checkbook, Pass


@admin.register(Pass)
class PassAdmin(ReadOnlyAdmin):
    list_display = ["serial", "status", "value_cents", "expires_on", "checkbook", "source"]
    list_filter = ["status", "source", "programme"]
    search_fields = ["=serial"]
    exclude = ["code_digest", "code_encrypted"]


@admin.register(Checkbook)
class CheckbookAdmin(ReadOnlyAdmin):
    list_display = ["number", "programme", "issued_on", "expires_on"]
    list_filter = ["programme"]
    search_fields = ["=number"]
    exclude = ["beneficiary"]
