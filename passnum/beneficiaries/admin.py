from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import Beneficiary


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "birth_date", "commune", "created_at"]
    list_filter = ["programme"]
    search_fields = ["search_last_name"]
