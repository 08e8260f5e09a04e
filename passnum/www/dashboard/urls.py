from django.urls import path

from . import views

urlpatterns = [
    path("espace/", views.dashboard, name="dashboard"),
    path("espace/indicateurs/", views.indicators, name="indicators"),
    path("espace/programme/", views.programme, name="programme"),
]
