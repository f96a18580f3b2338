import logging

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)


class BaseIndisponibleMiddleware:
    """While the database is unreachable (restart, failover), a page says so and asks to retry:
    a 503 with Retry-After rather than a server error. Nothing was written: the request's
    transaction never reached the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Base de données injoignable : %s", exception)
        reponse = render(request, "503.html", status=503)
        reponse["Retry-After"] = "30"
        return reponse
