"""Rate limits: per token (or logged-in user) and per client address for anonymous use.

Fixed one-minute windows counted in Django's cache (each worker process has its own unless a
shared cache is configured, see README). The address is the client's as
``morioka_ict.network.client_address`` reads it through trusted proxies, never a header the
client wrote.
"""

import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

from morioka_ict.network import client_address

WINDOW_SECONDS = 60


class ApiRateThrottle(BaseThrottle):
    """``API_RATE_PER_TOKEN`` requests a minute per user, ``API_RATE_ANONYMOUS`` per address."""

    def __init__(self):
        self._wait: float | None = None

    def _limit_and_ident(self, request) -> tuple[int, str]:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return settings.API_RATE_PER_TOKEN, f"user:{user.pk}"
        return settings.API_RATE_ANONYMOUS, f"addr:{client_address(request) or '-'}"

    def allow_request(self, request) -> bool:
        limit, ident = self._limit_and_ident(request)
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"api-rate:{ident}:{window}"
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return count <= limit

    def wait(self) -> float | None:
        return max(self._wait or 1, 1)
