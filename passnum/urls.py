from django.contrib import admin
from django.urls import include, path, re_path

from passnum.api_v1 import api, unknown_endpoint
from passnum.www.pages import views as www_views

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint),
    path("admin/", admin.site.urls),
    path("healthz", www_views.healthz, name="healthz"),
    path("", include("passnum.accounts.urls")),
    path("", include("passnum.www.urls")),
]

handler403 = "passnum.www.pages.views.permission_denied"
handler404 = "passnum.www.pages.views.page_not_found"
handler500 = "passnum.www.pages.views.server_error"

admin.site.site_header = "passnum — administration"
admin.site.site_title = "passnum"
