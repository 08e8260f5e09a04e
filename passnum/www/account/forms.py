from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from dsfr.forms import DsfrBaseForm


class ChangePasswordForm(DsfrBaseForm, PasswordChangeForm):
    """Django's password change, in DSFR markup. The old password is checked as a login is
    (``authenticate``): wrong ones count towards the account's lock, so that a stolen session
    cannot try passwords here without limit."""

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request.user, *args, **kwargs)
        # the page opens on its heading, not in the middle of the form
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        # The rules in plain text: the DSFR puts the hint inside the label, where a list
        # (Django's HTML help text) is not allowed. The bound field, made by DsfrBaseForm's
        # __init__, keeps its own copy.
        rules = " ".join(password_validators_help_texts())
        self.fields["new_password1"].help_text = self["new_password1"].help_text = rules

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
