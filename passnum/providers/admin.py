from django.contrib import admin

from .models import Accreditation, AccreditationEvent, BankDetails, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "commune"]
    list_filter = ["organisation__programme"]
    search_fields = ["name"]
    autocomplete_fields = ["organisation", "commune"]


class AccreditationEventInline(admin.TabularInline):
    """The history is written by the services only."""

    model = AccreditationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "user", "before", "after", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "status", "updated_at"]
    list_filter = ["status"]
    inlines = [AccreditationEventInline]


@admin.register(BankDetails)
class BankDetailsAdmin(admin.ModelAdmin):
    list_display = ["organisation", "account_holder", "updated_at"]
    search_fields = ["organisation__name", "account_holder"]
