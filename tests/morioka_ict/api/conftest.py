"""Builders for the API tests: a public dashboard, a token, a clean rate-limit cache."""

import pytest
from django.core.cache import cache
from django.test import Client

from governance.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public(settings):
    settings.DASHBOARD_PUBLIC_READ = True


@pytest.fixture
def token(reader):
    """Return the secret of a personal API token of ``reader``."""
    return api_token_create(user=reader, label="テスト連携")[1]


@pytest.fixture
def token_client(token):
    return Client(headers={"Authorization": f"Bearer {token}"})
