from django.urls import path

from . import views

urlpatterns = [
    path("espace/chequiers/<int:checkbook_id>/", views.checkbook_detail, name="checkbook"),
    path("espace/chequiers/<int:checkbook_id>/pdf/", views.checkbook_pdf, name="checkbook_pdf"),
    path(
        "espace/chequiers/<int:checkbook_id>/pass-perdus/",
        views.checkbook_replace,
        name="checkbook_replace",
    ),
]
