"""The password-change page throttles wrong old passwords and enters them in the access record."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.audit import AccessKind, AccessRecord

pytestmark = pytest.mark.django_db

PAGE = reverse("password_change")
OLD = "いまのパスワード-2026"
NEW = "あたらしいパスワード-2027"
LOCKED = "古いパスワードの誤りが続いたため、パスワードの変更を一時停止しています"


@pytest.fixture
def tanaka(django_user_model):
    return django_user_model.objects.create_user("tanaka", password=OLD)


def _client(user) -> Client:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(user)
    return client


def _change(client: Client, old: str):
    return client.post(PAGE, {"old_password": old, "new_password1": NEW, "new_password2": NEW})


def test_wrong_old_passwords_lock_the_form_even_for_the_right_one(tanaka, settings):
    client = _client(tanaka)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _change(client, "まちがい").status_code == 200

    locked = _change(client, OLD)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    tanaka.refresh_from_db()
    assert tanaka.check_password(OLD)
    assert LOCKED in client.get(PAGE).content.decode()


def test_each_wrong_old_password_is_recorded(tanaka):
    _change(_client(tanaka), "まちがい")

    record = AccessRecord.objects.get(kind=AccessKind.PASSWORD_FAILED)
    assert (record.user, record.address, record.path) == (tanaka, "10.1.2.3", PAGE)


def test_other_mistakes_are_not_counted(tanaka):
    client = _client(tanaka)
    response = client.post(
        PAGE, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW + "x"}
    )
    assert response.status_code == 200
    assert not AccessRecord.objects.filter(kind=AccessKind.PASSWORD_FAILED).exists()


def test_the_lock_ends_after_the_cool_off_and_the_change_is_recorded(tanaka, settings):
    client = _client(tanaka)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _change(client, "まちがい")
    AccessRecord.objects.filter(kind=AccessKind.PASSWORD_FAILED).update(
        at=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    assert _change(client, OLD).status_code == 302
    tanaka.refresh_from_db()
    assert tanaka.check_password(NEW)
    assert AccessRecord.objects.filter(kind=AccessKind.PASSWORD_CHANGED, user=tanaka).exists()


def test_a_successful_change_starts_the_count_again(tanaka, settings):
    client = _client(tanaka)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _change(client, "まちがい")
    assert _change(client, OLD).status_code == 302

    assert _change(client, "まちがい").status_code == 200
    assert _change(client, NEW).status_code == 302


def test_one_users_failures_do_not_lock_another(tanaka, django_user_model, settings):
    suzuki = django_user_model.objects.create_user("suzuki", password=OLD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _change(_client(tanaka), "まちがい")

    assert _change(_client(suzuki), OLD).status_code == 302
