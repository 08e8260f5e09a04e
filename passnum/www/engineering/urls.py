from django.urls import path

from . import views

urlpatterns = [
    path("espace/ingenierie/", views.expenses, name="engineering"),
]
