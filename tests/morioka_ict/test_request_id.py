"""Every request has an id, on its response, in every log line and on the error page; a server
error in production is logged to stderr with its traceback."""

import re
import subprocess
import sys

import pytest
from django.test import Client

from .test_security import ROOT, _production_env

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert GENERATED.match(first) and GENERATED.match(second)
    assert first != second


def test_the_proxys_request_id_is_kept_when_proxies_are_trusted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="3f2a9c0d7e1b4a58")
    assert response["X-Request-ID"] == "3f2a9c0d7e1b4a58"


@pytest.mark.parametrize("given", ["bad id", "x" * 200, "abc\nERROR forged", ""])
def test_a_malformed_request_id_is_replaced(client, settings, given):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)
    assert GENERATED.match(response["X-Request-ID"])


def test_without_a_proxy_a_clients_request_id_is_not_taken(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="chosen-by-the-client")
    assert GENERATED.match(response["X-Request-ID"])


def test_the_error_page_shows_the_request_id(settings):
    settings.ROOT_URLCONF = "tests.morioka_ict.urls_failing"
    response = Client(raise_request_exception=False).get("/failing/")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert "エラーが発生しました" in page
    assert request_id in page


def test_the_error_page_gives_the_id_even_if_its_template_fails(settings, monkeypatch):
    from morioka_ict import views

    def broken(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(views.loader, "get_template", broken)
    settings.ROOT_URLCONF = "tests.morioka_ict.urls_failing"
    response = Client(raise_request_exception=False).get("/failing/")

    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()


_FAILING_REQUEST = """
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings

# collectstatic is not run here; the hashed storage of production is not what is tested.
plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(ROOT_URLCONF="tests.morioka_ict.urls_failing", STORAGES=plain):
    response = Client(raise_request_exception=False).get("/failing/", secure=True)
print(response.status_code, response["X-Request-ID"])
print(response.content.decode())
"""


def test_a_server_error_in_production_is_logged_with_traceback_and_request_id(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _FAILING_REQUEST],
        cwd=ROOT,
        env={
            **_production_env(DJANGO_SETTINGS_MODULE="morioka_ict.settings"),
            "DJANGO_SECRET_KEY": "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, request_id = result.stdout.split("\n", 1)[0].split()
    assert status == "500"
    assert request_id in result.stdout.split("\n", 1)[1]  # the error page shows it

    log = result.stderr.splitlines()
    assert any(
        f"ERROR [{request_id}] django.request: Internal Server Error: /failing/" in line
        for line in log
    ), result.stderr
    assert f"[{request_id}]" in next(line for line in log if "Traceback" in line)
    assert f"[{request_id}]" in next(line for line in log if "RuntimeError: わざと" in line)
