from django.urls import path

from . import views as redemptions_views

urlpatterns = [
    path("espace/encaisser/", redemptions_views.redeem_passes, name="redeem"),
    path("espace/seances/", redemptions_views.session_list, name="sessions"),
    path("espace/seances/<int:session_id>/", redemptions_views.session_detail, name="session"),
    path(
        "espace/seances/<int:session_id>/annuler/",
        redemptions_views.session_undo,
        name="session_undo",
    ),
]
