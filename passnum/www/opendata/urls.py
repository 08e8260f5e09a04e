from django.urls import path

from . import views

# Stable public addresses: harvesters and scripts read them.
urlpatterns = [
    path("donnees-ouvertes/", views.open_data_page, name="open_data"),
    path("donnees-ouvertes/activite.csv", views.activity_csv, name="open_data_csv"),
    path("donnees-ouvertes/schema.json", views.schema_json, name="open_data_schema"),
]
