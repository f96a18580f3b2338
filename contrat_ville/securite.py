from django.conf import settings


class PolitiqueDeContenuMiddleware:
    """Sends the Content-Security-Policy of settings.POLITIQUE_DE_CONTENU with every answer.

    A few lines rather than a dependency: one fixed policy, no nonces (the pages need none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.POLITIQUE_DE_CONTENU)
        return response
