"""The OpenAPI document and its human page (served from static/, no CDN)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_api_root_leads_to_the_static_docs_page(client):
    response = client.get("/api/")
    assert response.status_code == 302
    assert response["Location"].endswith("/static/api/index.html")


def test_docs_page_loads_nothing_from_other_sites():
    for name in ("api/index.html", "api/docs.js"):
        text = Path(finders.find(name)).read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", text), name
        assert "<script>" not in text


def test_openapi_document_describes_fields_in_japanese(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/measures" in document["paths"]
    fields = document["components"]["schemas"]["MeasureRowOut"]["properties"]
    assert fields["status"]["description"].startswith("状況")
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
