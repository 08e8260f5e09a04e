from django.urls import path

from . import views

urlpatterns = [
    path("mon-compte/", views.account, name="account"),
    path(
        "mon-compte/jetons/<int:token_id>/revoquer/",
        views.revoke_token,
        name="account_revoke_token",
    ),
]
