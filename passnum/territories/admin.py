from django.contrib import admin

from .models import Commune, PostalCode


class PostalCodeInline(admin.TabularInline):
    model = PostalCode
    extra = 0


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee_code", "name", "department_code", "population"]
    list_filter = ["department_code"]
    search_fields = ["insee_code", "name", "search_name", "postal_codes__code"]
    inlines = [PostalCodeInline]
