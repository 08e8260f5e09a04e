from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .forms import LoginForm, NewPasswordForm, ResetPasswordForm
from .views import PasswordResetView

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            extra_context={"title": "Connexion"},
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        PasswordResetView.as_view(
            form_class=ResetPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_context={"title": "Mot de passe oublié"},
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(extra_context={"title": "Courriel envoyé"}),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NewPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
            extra_context={"title": "Nouveau mot de passe"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(
            extra_context={"title": "Mot de passe modifié"}
        ),
        name="password_reset_complete",
    ),
]
