from django.urls import path

from . import views

urlpatterns = [
    path("espace/courriels/", views.email_list, name="emails"),
    path("espace/courriels/<int:email_id>/reessayer/", views.email_retry, name="email_retry"),
]
