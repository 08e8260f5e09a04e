from django.contrib import admin

from passnum.common.admin import ReadOnlyAdmin

from .models import Email


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "attempts", "created_at", "sent_at", "programme"]
    list_filter = ["status", "kind", "programme"]
    list_select_related = ["programme"]
    # A password-reset link must not be read here while it is valid.
    exclude = ["body"]
    readonly_fields = ["shown_body"]

    @admin.display(description="texte")
    def shown_body(self, email):
        if email.secret_until is not None:
            return "(contient un lien secret : non affiché)"
        return email.body
