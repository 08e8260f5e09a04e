from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import EngineeringExpense, Funder, Programme


class FunderInline(admin.TabularInline):
    model = Funder
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "territory_code", "starts_on", "ends_on", "envelope_cents"]
    inlines = [FunderInline]


@admin.register(EngineeringExpense)
class EngineeringExpenseAdmin(ReadOnlyAdmin):
    """Recorded by the operator on the site (« Dépenses d'ingénierie »), journaled there."""

    list_display = ["spent_on", "label", "amount_cents", "supplier", "reference", "programme"]
    list_filter = ["programme"]
