from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, User

admin.site.register(User, BaseUserAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "expires_at", "revoked_at", "revoked_reason"]
    list_filter = ["revoked_reason"]
    readonly_fields = [
        "key_hash",
        "membership",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    ]
