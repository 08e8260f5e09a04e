from django.urls import path

from . import views

urlpatterns = [
    path("espace/parcours/", views.paths, name="paths"),
    path("espace/parcours/nouveau/", views.path_new, name="path_new"),
    path("espace/parcours/<int:path_id>/", views.path_edit, name="path_edit"),
]
