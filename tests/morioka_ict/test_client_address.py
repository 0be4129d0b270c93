"""The client's address behind trusted proxies: one rule for lock-outs and the access record."""

import subprocess
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from governance.audit import AccessKind, AccessRecord
from morioka_ict.network import client_address

from .test_security import ROOT, _production_env

LOGIN = reverse("login")
PASSWORD = "正しいパスワード-2026"
PROXY = "127.0.0.1"


@pytest.fixture
def tanaka(django_user_model):
    return django_user_model.objects.create_user("tanaka", password=PASSWORD)


def _login(password: str, *, forwarded_for: str | None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(LOGIN, {"username": "tanaka", "password": password}, **extra)


def _address(forwarded_for: str | None, remote: str = PROXY) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_address(RequestFactory().get("/", **extra))


@pytest.mark.django_db
def test_behind_one_proxy_a_forged_left_entry_is_not_trusted(settings, tanaka):
    settings.TRUSTED_PROXY_COUNT = 1
    _login("まちがい", forwarded_for="203.0.113.66, 10.0.0.1")

    record = AccessRecord.objects.get(kind=AccessKind.LOGIN_FAILED)
    assert record.address == "10.0.0.1"


@pytest.mark.django_db
def test_two_clients_behind_the_proxy_are_locked_out_separately(settings, tanaka):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker forges a new left-most entry every time; the proxy appends the real address.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("まちがい", forwarded_for=f"198.51.100.{attempt}, 10.0.0.1")
    assert _login(PASSWORD, forwarded_for="10.0.0.1").status_code == 429
    assert _login(PASSWORD, forwarded_for="192.0.2.9, 10.0.0.1").status_code == 429

    # 管理者 at another desk, through the same proxy, is not locked out.
    assert _login(PASSWORD, forwarded_for="10.0.0.2").status_code == 302
    assert set(
        AccessRecord.objects.filter(kind=AccessKind.LOGIN_FAILED).values_list("address", flat=True)
    ) == {"10.0.0.1"}


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored(settings, tanaka):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("まちがい", forwarded_for=f"198.51.100.{attempt}", remote="10.0.0.7")

    assert _login(PASSWORD, forwarded_for="10.0.0.8", remote="10.0.0.7").status_code == 429
    assert set(AccessRecord.objects.values_list("address", flat=True)) == {"10.0.0.7"}


def test_the_client_is_the_entry_left_of_the_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # client → proxy A (10.9.0.1) → proxy B (REMOTE_ADDR); each proxy appends its peer.
    assert _address("203.0.113.66, 10.0.0.1, 10.9.0.1") == "10.0.0.1"
    assert _address("10.0.0.1,10.9.0.1") == "10.0.0.1"
    assert _address("2001:db8::1, 10.9.0.1") == "2001:db8::1"


def test_an_incomplete_or_malformed_chain_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert _address("10.0.0.1") == PROXY  # fewer entries than proxies: not through them all
    assert _address(None) == PROXY
    assert _address("unknown, 10.9.0.1") == PROXY
    assert _address("'; DROP TABLE--, 10.9.0.1") == PROXY


@pytest.mark.parametrize("value", ["-1", "one"])
def test_a_bad_proxy_count_stops_the_start(value):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(DJANGO_SECRET_KEY="k" * 50, DJANGO_TRUSTED_PROXY_COUNT=value),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXY_COUNT には" in result.stderr
