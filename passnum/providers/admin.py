from django.contrib import admin

from .models import Accreditation, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "commune"]
    list_filter = ["organisation__programme"]
    search_fields = ["name"]
    autocomplete_fields = ["organisation", "commune"]


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "status", "updated_at"]
    list_filter = ["status"]
