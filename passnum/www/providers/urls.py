"""Providers, accreditation and paths: « Ma structure habilitée », « Structures », « Parcours »."""

from django.urls import path

from . import views

urlpatterns = [
    path("espace/habilitation/", views.provider_accreditation, name="provider_accreditation"),
    path("espace/habilitation/envoyer/", views.provider_submit, name="provider_submit"),
    path("espace/habilitation/banque/", views.provider_bank, name="provider_bank"),
    path(
        "espace/habilitation/lieux/nouveau/", views.provider_place_new, name="provider_place_new"
    ),
    path(
        "espace/habilitation/lieux/<int:place_id>/",
        views.provider_place_edit,
        name="provider_place_edit",
    ),
    path(
        "espace/habilitation/lieux/<int:place_id>/parcours/",
        views.provider_place_offer,
        name="provider_place_offer",
    ),
    path(
        "espace/habilitation/lieux/<int:place_id>/parcours/<int:path_id>/retirer/",
        views.provider_place_withdraw,
        name="provider_place_withdraw",
    ),
    path("espace/structures/", views.providers, name="providers"),
    path("espace/structures/lieux.csv", views.providers_csv, name="providers_csv"),
    path(
        "espace/structures/<int:organisation_id>/", views.provider_detail, name="provider_detail"
    ),
    path(
        "espace/structures/<int:organisation_id>/decider/",
        views.provider_decide,
        name="provider_decide",
    ),
]
