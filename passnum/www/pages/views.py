"""Pages without a feature of their own: home, privacy, health check, error pages."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    return render(request, "www/home.html", {"title": "Accueil"})


def privacy(request):
    return render(request, "www/privacy.html", {"title": "Données personnelles"})


def healthz(request):
    """For the load balancer: ``ok`` while this server reaches its database, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("base de données injoignable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    message = (
        str(exception) if exception and str(exception) else "Vous n'avez pas accès à cette page."
    )
    return render(request, "403.html", {"title": "Accès refusé", "message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"title": "Page introuvable"}, status=404)


def server_error(request):
    return render(request, "500.html", {"title": "Erreur du serveur"}, status=500)
