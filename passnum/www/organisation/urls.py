from django.urls import path

from . import views

urlpatterns = [
    path("espace/structure/", views.organisation, name="organisation"),
    path(
        "espace/structure/membres/<int:membership_id>/<slug:action>/",
        views.member_action,
        name="member_action",
    ),
    path("espace/changer-de-structure/", views.choose_membership, name="choose_membership"),
]
