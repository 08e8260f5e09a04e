"""Test-only URLconf: the project's, with the misuse page added to the ``www`` namespace (the
route the project will declare as ``www:misuse``)."""

from django.urls import include, path

from passnum import urls as project
from passnum.www import operator_views
from passnum.www import urls as www

www_patterns = [
    *www.urlpatterns,
    path("espace/signalements/", operator_views.misuse, name="misuse"),
]

urlpatterns = [
    *(p for p in project.urlpatterns if getattr(p, "namespace", None) != "www"),
    path("", include((www_patterns, "www"))),
]

handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500
