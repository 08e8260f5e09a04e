from django.urls import path

from . import (
    checkbooks_views,
    operator_views,
    providers_urls,
    public_views,
    redemptions_urls,
    referrals_views,
    statements_urls,
    views,
)

app_name = "www"

urlpatterns = [
    path("", views.home, name="home"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    # Printed on the checkbooks: these two addresses never change.
    path("verifier-mes-pass/", public_views.check_passes, name="check_passes"),
    path("ou-utiliser-mes-pass/", public_views.where, name="where"),
    path("espace/", views.dashboard, name="dashboard"),
    path("espace/programme/", views.programme, name="programme"),
    path("espace/structure/", views.organisation, name="organisation"),
    path(
        "espace/structure/membres/<int:membership_id>/<slug:action>/",
        views.member_action,
        name="member_action",
    ),
    path("espace/changer-de-structure/", views.choose_membership, name="choose_membership"),
    path("espace/orientations/", referrals_views.referral_list, name="referrals"),
    path("espace/orientations/nouvelle/", referrals_views.referral_new, name="referral_new"),
    path(
        "espace/orientations/<int:referral_id>/",
        referrals_views.referral_detail,
        name="referral",
    ),
    path(
        "espace/orientations/<int:referral_id>/prescrire/",
        referrals_views.referral_prescribe,
        name="referral_prescribe",
    ),
    path(
        "espace/orientations/<int:referral_id>/refuser/",
        referrals_views.referral_reject,
        name="referral_reject",
    ),
    path(
        "espace/orientations/<int:referral_id>/retirer/",
        referrals_views.referral_withdraw,
        name="referral_withdraw",
    ),
    path("espace/file/", referrals_views.queue, name="queue"),
    path(
        "espace/chequiers/<int:checkbook_id>/",
        checkbooks_views.checkbook_detail,
        name="checkbook",
    ),
    path(
        "espace/chequiers/<int:checkbook_id>/pdf/",
        checkbooks_views.checkbook_pdf,
        name="checkbook_pdf",
    ),
    path(
        "espace/chequiers/<int:checkbook_id>/pass-perdus/",
        checkbooks_views.checkbook_replace,
        name="checkbook_replace",
    ),
    path("espace/signalements/", operator_views.misuse, name="misuse"),
    # Issue « 3/6 »: each feature keeps its routes in its own module.
    *redemptions_urls.urlpatterns,
    *providers_urls.urlpatterns,
    *statements_urls.urlpatterns,
]
