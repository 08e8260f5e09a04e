from django.urls import path

from . import views

urlpatterns = [
    path("espace/suivi/", views.follow_up, name="follow_up"),
    path("espace/suivi/relancer/", views.follow_up_remind, name="follow_up_remind"),
    path("espace/suivi/lettres.pdf", views.follow_up_letters, name="follow_up_letters"),
]
