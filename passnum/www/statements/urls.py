from django.urls import path

from . import views

urlpatterns = [
    path("espace/releves/", views.statement_list, name="statements"),
    path("espace/releves/generer/", views.statement_generate, name="statement_generate"),
    path("espace/releves/virement-sepa/", views.statement_sepa, name="statement_sepa"),
    path("espace/releves/<int:statement_id>/", views.statement_detail, name="statement"),
    path(
        "espace/releves/<int:statement_id>/valider/",
        views.statement_validate,
        name="statement_validate",
    ),
    path("espace/releves/<int:statement_id>/payer/", views.statement_pay, name="statement_pay"),
    path("espace/releves/<int:statement_id>/pdf/", views.statement_pdf_view, name="statement_pdf"),
    path("espace/releves/<int:statement_id>/csv/", views.statement_csv_view, name="statement_csv"),
]
