from django.contrib import admin

from .models import ThrottleHit


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown in the admin, changed only through the services (which journal every change)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ThrottleHit)
class ThrottleHitAdmin(ReadOnlyAdmin):
    list_display = ["scope", "key", "at"]
    list_filter = ["scope"]
