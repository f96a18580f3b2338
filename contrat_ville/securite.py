from django.conf import settings
from django.db.models import Sum


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


def limite_d_echecs(request, credentials=None):
    """AXES_FAILURE_LIMIT: AXES_ECHECS_PAR_ADRESSE failures lock the pair (user name, client address),
    AXES_ECHECS_PAR_IDENTIFIANT failures from any addresses lock the user name itself.

    axes compares the largest failure count of the AXES_LOCKOUT_PARAMETERS combinations with a single
    limit. The user name's count is never below the pair's: answering the pair's limit once the pair has
    reached it, else the user name's, locks exactly when either count reaches its own limit.
    """
    from axes.attempts import get_cool_off_threshold
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    tentatives = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None) or adresse_du_client(request),
    )
    if settings.AXES_COOLOFF_TIME is not None:
        tentatives = tentatives.filter(attempt_time__gte=get_cool_off_threshold(request))
    echecs = tentatives.aggregate(n=Sum("failures_since_start"))["n"] or 0
    if echecs >= settings.AXES_ECHECS_PAR_ADRESSE:
        return settings.AXES_ECHECS_PAR_ADRESSE
    return settings.AXES_ECHECS_PAR_IDENTIFIANT


class PolitiqueDeContenuMiddleware:
    """Sends the Content-Security-Policy of settings.POLITIQUE_DE_CONTENU with every answer.

    A few lines rather than a dependency: one fixed policy, no nonces (the pages need none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.POLITIQUE_DE_CONTENU)
        return response
