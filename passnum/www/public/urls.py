from django.urls import path

from . import views

# Printed on the checkbooks: these addresses never change.
urlpatterns = [
    path("verifier-mes-pass/", views.check_passes, name="check_passes"),
    path("ou-utiliser-mes-pass/", views.where, name="where"),
]
