from django.urls import path

from . import views

urlpatterns = [
    path("espace/orientations/", views.referral_list, name="referrals"),
    path("espace/orientations/nouvelle/", views.referral_new, name="referral_new"),
    path("espace/orientations/<int:referral_id>/", views.referral_detail, name="referral"),
    path(
        "espace/orientations/<int:referral_id>/prescrire/",
        views.referral_prescribe,
        name="referral_prescribe",
    ),
    path(
        "espace/orientations/<int:referral_id>/refuser/",
        views.referral_reject,
        name="referral_reject",
    ),
    path(
        "espace/orientations/<int:referral_id>/retirer/",
        views.referral_withdraw,
        name="referral_withdraw",
    ),
    path("espace/file/", views.queue, name="queue"),
]
