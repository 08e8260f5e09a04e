from django.contrib import admin

from .models import Path, PathModule, PathOffer


class PathModuleInline(admin.TabularInline):
    model = PathModule
    extra = 0


@admin.register(Path)
class PathAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "is_active", "updated_at"]
    list_filter = ["programme", "is_active"]
    search_fields = ["name"]
    inlines = [PathModuleInline]


@admin.register(PathOffer)
class PathOfferAdmin(admin.ModelAdmin):
    list_display = ["path", "place", "created_at"]
    list_filter = ["path__programme"]
    autocomplete_fields = ["place"]
