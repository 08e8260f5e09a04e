from django.contrib import admin

from .models import Funder, Programme


class FunderInline(admin.TabularInline):
    model = Funder
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "territory_code", "starts_on", "ends_on", "envelope_cents"]
    inlines = [FunderInline]
