from django.urls import path

from . import views

urlpatterns = [
    path("espace/exports/", views.exports_page, name="exports"),
    path("espace/exports/<int:export_id>/fichier/", views.export_download, name="export_file"),
]
