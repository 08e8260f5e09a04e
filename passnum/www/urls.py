from django.urls import path

from . import views

app_name = "www"

urlpatterns = [
    path("", views.home, name="home"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("espace/", views.dashboard, name="dashboard"),
    path("espace/programme/", views.programme, name="programme"),
    path("espace/structure/", views.organisation, name="organisation"),
    path(
        "espace/structure/membres/<int:membership_id>/<slug:action>/",
        views.member_action,
        name="member_action",
    ),
    path("espace/changer-de-structure/", views.choose_membership, name="choose_membership"),
]
