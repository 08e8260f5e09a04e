from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import Prescription, Referral


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "tier", "organisation", "created_at"]
    list_filter = ["status", "tier", "programme"]


@admin.register(Prescription)
class PrescriptionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "referral", "checkbook", "prescribed_at"]
