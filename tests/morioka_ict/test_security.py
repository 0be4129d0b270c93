"""Login protection, security headers and production settings."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LOGIN = reverse("admin:login")
PASSWORD = "正しいパスワード-2026"


def _production_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="ict.example.jp", **extra)
    return env


def _login(client: Client, username: str, password: str, address: str):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def staff(django_user_model):
    def make(username: str):
        return django_user_model.objects.create_user(
            username=username, password=PASSWORD, is_staff=True
        )

    return make


@pytest.mark.django_db
def test_lockout_after_repeated_failures_keys_on_user_and_address(staff):
    staff("tanaka")
    staff("suzuki")
    for _ in range(4):
        assert _login(Client(), "tanaka", "まちがい", "10.0.0.1").status_code == 200
    assert _login(Client(), "tanaka", "まちがい", "10.0.0.1").status_code == 429

    locked = _login(Client(), "tanaka", PASSWORD, "10.0.0.1")
    assert locked.status_code == 429
    assert "ログインを一時停止しました" in locked.content.decode()

    # Same NAT address, another person: not affected.
    assert _login(Client(), "suzuki", PASSWORD, "10.0.0.1").status_code == 302
    # Same person, another address: not affected.
    assert _login(Client(), "tanaka", PASSWORD, "10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(staff, settings):
    staff("tanaka")
    for _ in range(5):
        _login(Client(), "tanaka", "まちがい", "10.0.0.1")
    assert _login(Client(), "tanaka", PASSWORD, "10.0.0.1").status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(minutes=1)
    )
    assert _login(Client(), "tanaka", PASSWORD, "10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    response = client.get(LOGIN)
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_csrf_is_enforced_on_login():
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_session_ends_with_the_browser(staff, client):
    staff("tanaka")
    _login(client, "tanaka", PASSWORD, "10.0.0.1")
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == ""
    assert cookie["httponly"]


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY が設定されていません" in result.stderr


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(DJANGO_SECRET_KEY="k" * 20 + "-production-secret-for-the-check-9Xz"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_gunicorn_entry_point_defaults_to_production():
    result = subprocess.run(
        [sys.executable, "-c", "import morioka_ict.wsgi"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_language_cookie_is_secure_http_only_and_same_site():
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().post('/i18n/setlang/', {'language': 'en', 'next': '/'}, secure=True)\n"
        "cookie = response.cookies['django_language']\n"
        "print(response.status_code, bool(cookie['secure']), bool(cookie['httponly']),"
        " cookie['samesite'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **_production_env(DJANGO_SETTINGS_MODULE="morioka_ict.settings"),
            "DJANGO_SECRET_KEY": "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["302", "True", "True", "Lax"]
