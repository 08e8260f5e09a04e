from django.contrib import admin

from .models import JournalEntry


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "subject_type", "subject_id", "action", "before", "after", "user"]
    list_filter = ["subject_type", "action"]
    search_fields = ["=subject_id"]
    readonly_fields = ["reason"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
