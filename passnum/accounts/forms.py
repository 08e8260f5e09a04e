import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.template import loader
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from passnum.notifications.models import EmailKind
from passnum.notifications.services import queue_email
from passnum.organisations.selectors import active_memberships_of


class LoginForm(DsfrBaseForm, AuthenticationForm):
    username = forms.CharField(label="Identifiant", max_length=150)
    password = forms.CharField(label="Mot de passe", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class ResetPasswordForm(DsfrBaseForm, PasswordResetForm):
    email = forms.EmailField(label="Adresse électronique", max_length=254)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox, as every email: the link is a secret, erased from it once sent
        or expired (``PASSWORD_RESET_TIMEOUT``)."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        queue_email(
            kind=EmailKind.PASSWORD_RESET,
            recipient=to_email,
            subject=subject,
            body=body,
            programme=_programme_of(context["user"]),
            secret_until=timezone.now()
            + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        )


def _programme_of(user):
    """The programme whose operator sees this user's emails: that of their active
    memberships when they all belong to one (otherwise none: the admin shows the email)."""
    programmes = {m.organisation.programme for m in active_memberships_of(user)}
    return programmes.pop() if len(programmes) == 1 else None


class NewPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass
