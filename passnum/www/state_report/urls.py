from django.urls import path

from . import views

urlpatterns = [
    path("espace/bilan/", views.state_report, name="state_report"),
    path("espace/bilan/telecharger/", views.download, name="state_report_download"),
]
