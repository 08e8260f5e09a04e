from django.contrib import admin

from .models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    raw_id_fields = ["user", "updated_by"]
    can_delete = False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "programme", "siret", "commune"]
    list_filter = ["kind", "programme"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["commune"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_admin", "is_active", "joined_at"]
    list_filter = ["is_active", "is_admin", "organisation__kind"]
    raw_id_fields = ["user", "organisation", "updated_by"]

    def has_delete_permission(self, request, obj=None):
        return False
