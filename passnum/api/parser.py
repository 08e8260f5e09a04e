"""Request bodies are JSON: a form body is refused before any route runs."""

from ninja.parser import Parser

# The bodies Django parses into ``request.POST`` the first time anything reads it (django-axes
# does, during a login): a malformed one (a multipart without boundary, too many fields) raises
# there, in the middle of a route.
FORM_CONTENT_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}


class UnsupportedMediaType(Exception):
    """A body sent as a form rather than as JSON (HTTP 415)."""

    status = 415
    code = "unsupported_media_type"
    message = (
        "Le corps de la requête doit être du JSON : envoyez l'en-tête "
        "« Content-Type: application/json »."
    )


class JSONBodyParser(Parser):
    def parse_body(self, request):
        if request.content_type in FORM_CONTENT_TYPES:
            raise UnsupportedMediaType
        return super().parse_body(request)
