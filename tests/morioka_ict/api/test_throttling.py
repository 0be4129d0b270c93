"""Rate limits: per token, per client address for anonymous use; 429 with Retry-After."""

from types import SimpleNamespace

import pytest
from django.test import Client

from governance.audit import AccessKind, AccessRecord
from morioka_ict.api import throttling

pytestmark = pytest.mark.django_db

URL = "/api/v1/periods"


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Every request of a test falls in one rate-limit window: a minute boundary passing
    mid-test would otherwise start a fresh count."""
    now = 1_800_000_000.0 + 1  # one second into a window
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: now))


def test_anonymous_readers_are_limited_per_address(settings, seeded, public):
    settings.API_RATE_ANONYMOUS = 3
    client = Client(REMOTE_ADDR="192.0.2.10")
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(URL)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="192.0.2.11").get(URL).status_code == 200


def test_the_limit_follows_the_trusted_proxy_address_not_a_forged_header(settings, seeded, public):
    settings.API_RATE_ANONYMOUS = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    first = Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.5"})
    assert first.get(URL).status_code == 200
    # The client forged its left-hand entry: still the same client (203.0.113.5) to us.
    forged = Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "198.51.100.2, 203.0.113.5"})
    assert forged.get(URL).status_code == 429
    other = Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "203.0.113.6"})
    assert other.get(URL).status_code == 200


def test_tokens_have_their_own_limit(settings, seeded, token_client):
    settings.API_RATE_PER_TOKEN = 2
    assert [token_client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert "Retry-After" in token_client.get(URL)


def test_a_tokens_refusals_are_counted_on_one_row_not_flooded(settings, seeded, token_client):
    settings.API_RATE_PER_TOKEN = 1
    statuses = [token_client.get(URL).status_code for _ in range(6)]
    assert statuses == [200, 429, 429, 429, 429, 429]
    refused = AccessRecord.objects.filter(kind=AccessKind.REFUSED)
    assert refused.count() == 1
    assert refused.get().repeat_count == 5 and refused.get().username == "reader"
