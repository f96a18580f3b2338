from django.conf import settings


def adresse_du_client(request):
    """The address login throttling counts failures for.

    Behind N proxies of ours, each appends the address it received from to X-Forwarded-For: the Nth
    from the right is the client's, whatever the client wrote further left. Without proxies, REMOTE_ADDR.
    """
    if settings.NOMBRE_DE_PROXYS:
        adresses = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(adresses) >= settings.NOMBRE_DE_PROXYS:
            return adresses[-settings.NOMBRE_DE_PROXYS]
    return request.META.get("REMOTE_ADDR")


class PolitiqueDeContenuMiddleware:
    """Sends the Content-Security-Policy of settings.POLITIQUE_DE_CONTENU with every answer.

    A few lines rather than a dependency: one fixed policy, no nonces (the pages need none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.POLITIQUE_DE_CONTENU)
        return response
