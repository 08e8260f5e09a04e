from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import Redemption, Session


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "organisation", "date", "duration_minutes", "kind", "undone_at"]
    list_filter = ["programme", "kind", "place_type"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "session", "pass_obj", "redeemed_at", "undone_at", "statement"]
    list_filter = ["programme"]
    raw_id_fields = ["session", "pass_obj", "statement"]
