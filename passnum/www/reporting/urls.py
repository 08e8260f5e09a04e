from django.urls import path

from . import views

urlpatterns = [
    path("espace/signalements/", views.misuse, name="misuse"),
]
