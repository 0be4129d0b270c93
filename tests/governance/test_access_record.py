"""The access record: logins, failures, refused requests; read-only for everyone."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.audit import AccessKind, AccessRecord, record_access

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
PASSWORD = "正しいパスワード-2026"


@pytest.fixture
def tanaka(django_user_model):
    return django_user_model.objects.create_user("tanaka", password=PASSWORD)


def _login(username: str, password: str, address: str = "10.1.2.3"):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_is_recorded_with_user_and_address(tanaka):
    assert _login("tanaka", PASSWORD).status_code == 302

    record = AccessRecord.objects.get(kind=AccessKind.LOGIN)
    assert (record.user, record.username, record.address) == (tanaka, "tanaka", "10.1.2.3")


def test_failed_login_records_the_name_typed_even_without_an_account():
    assert _login("nobody", "まちがい").status_code == 200

    record = AccessRecord.objects.get(kind=AccessKind.LOGIN_FAILED)
    assert (record.user, record.username, record.address) == (None, "nobody", "10.1.2.3")


def test_lockout_is_recorded_as_refused(tanaka, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("tanaka", "まちがい")
    assert _login("tanaka", PASSWORD).status_code == 429

    refused = AccessRecord.objects.filter(kind=AccessKind.REFUSED, status_code=429)
    assert refused.exists()
    assert refused.first().path == LOGIN


def test_request_without_permission_is_recorded_as_refused(reader_client, reader):
    # A reader is not staff: admin sends them to its login; a CSRF-less post is refused.
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(reader)
    response = csrf_client.post(reverse("password_change"), {})
    assert response.status_code == 403

    record = AccessRecord.objects.get(kind=AccessKind.REFUSED)
    assert (record.user, record.method, record.status_code) == (reader, "POST", 403)


def test_record_survives_the_deletion_of_its_user(tanaka):
    _login("tanaka", PASSWORD)
    tanaka.delete()

    record = AccessRecord.objects.get(kind=AccessKind.LOGIN)
    assert (record.user, record.username) == (None, "tanaka")


def test_admin_shows_records_read_only(admin_client, tanaka):
    record = record_access(None, AccessKind.EXPORT, user=tanaka, detail="summary.xlsx")
    changelist = reverse("admin:governance_accessrecord_changelist")

    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert "summary.xlsx" in page.content.decode()
    assert admin_client.get(reverse("admin:governance_accessrecord_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:governance_accessrecord_change", args=[record.pk]), {"detail": "改ざん"}
    )
    assert change.status_code == 403
    record.refresh_from_db()
    assert record.detail == "summary.xlsx"
    delete = admin_client.post(
        reverse("admin:governance_accessrecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert AccessRecord.objects.filter(pk=record.pk).exists()


def test_export_is_recorded_with_its_row_count(reader_client, reader, seeded):
    response = reader_client.get(reverse("measures:export_csv"), {"status": "not_started"})
    assert response.status_code == 200

    record = AccessRecord.objects.get(kind=AccessKind.EXPORT)
    assert (record.user, record.method) == (reader, "GET")
    assert "status=not_started" in record.path
    assert "7 行" in record.detail


def test_summary_and_open_data_downloads_are_recorded(reader_client, reader, seeded):
    for name in ("measures:excel:summary", "measures:excel:opendata"):
        assert reader_client.get(reverse(name)).status_code == 200

    details = list(
        AccessRecord.objects.filter(kind=AccessKind.EXPORT, user=reader).values_list(
            "detail", flat=True
        )
    )
    assert len(details) == 2
    assert details[0].endswith(".csv") and details[1].endswith(".xlsx")
