"""The client's network address, for lock-outs (django-axes) and the access record alike.

Behind a reverse proxy every connection comes from the proxy, so the client's address has to
be read from ``X-Forwarded-For``. That header is written by whoever sent the request, so only
the entries that trusted proxies appended can be believed: each proxy appends the address of
the peer that connected to it. With ``TRUSTED_PROXY_COUNT = N`` (``DJANGO_TRUSTED_PROXY_COUNT``)
the last N-1 entries are the inner proxies and the N-th entry from the right is the client;
anything to its left was written by the client and is ignored. With N = 0 (the default: no
proxy) the header is ignored and the connection's own address is the client.

A chain shorter than N, or an entry that is not an IP address, means the request did not come
through the proxies as configured; the connection's address is used then.
"""

import ipaddress

from django.conf import settings


def _address(entry: str) -> str | None:
    try:
        return str(ipaddress.ip_address(entry.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """Return the address of the client that sent ``request``, through trusted proxies only.

    django-axes calls this (``AXES_CLIENT_IP_CALLABLE``), and so does the access record.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < count:
        return peer
    return _address(entries[-count]) or peer
