"""The access record keeps what an auditor needs, but nobody can fill it: anonymous repeats are
counted on one row, and old entries are pruned by a command."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import audit
from governance.audit import AccessKind, AccessRecord, record_access

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def _post_without_token(path: str = LOGIN, address: str = "10.1.2.3"):
    return Client(enforce_csrf_checks=True).post(path, {}, REMOTE_ADDR=address)


def _refused():
    return AccessRecord.objects.filter(kind=AccessKind.REFUSED)


def test_repeated_anonymous_refusals_are_one_row_with_a_count():
    for _ in range(20):
        assert _post_without_token().status_code == 403

    row = _refused().get()
    assert (row.address, row.path, row.status_code, row.repeat_count) == (
        "10.1.2.3",
        LOGIN,
        403,
        20,
    )
    assert row.last_at >= row.at


def test_refusals_are_kept_apart_by_address_and_path():
    for address in ("10.1.2.3", "10.1.2.4"):
        for path in (LOGIN, reverse("set_language")):
            _post_without_token(path, address)
            _post_without_token(path, address)

    assert _refused().count() == 4
    assert set(_refused().values_list("repeat_count", flat=True)) == {2}


def test_the_query_string_does_not_make_a_new_row():
    for n in range(5):
        _post_without_token(f"{LOGIN}?next=/x{n}/")

    assert _refused().get().repeat_count == 5


def test_a_flood_over_many_paths_stays_bounded(seeded, monkeypatch):
    monkeypatch.setattr(audit, "ANONYMOUS_ROWS_PER_WINDOW", 5)
    for pk in range(1, 31):
        _post_without_token(f"/measures/{pk}/", address=f"10.9.0.{pk}")

    assert _refused().count() == 6
    overflow = _refused().get(address=None)
    assert overflow.repeat_count == 25
    assert _refused().aggregate(total=Sum("repeat_count"))["total"] == 30


def test_a_new_window_starts_a_new_row():
    _post_without_token()
    _refused().update(at=timezone.now() - audit.AGGREGATION_WINDOW - timedelta(minutes=1))
    _post_without_token()

    assert list(_refused().values_list("repeat_count", flat=True)) == [1, 1]


def test_refusals_of_logged_in_users_are_kept_one_by_one(reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    for _ in range(3):
        assert client.post(reverse("password_change"), {}).status_code == 403

    assert list(_refused().values_list("user", "repeat_count")) == [(reader.pk, 1)] * 3


def test_repeated_failed_logins_count_per_user_name_and_address():
    for username in ("tanaka", "tanaka", "tanaka", "suzuki"):
        Client().post(LOGIN, {"username": username, "password": "まちがい"}, REMOTE_ADDR="10.1.2.3")

    failed = AccessRecord.objects.filter(kind=AccessKind.LOGIN_FAILED)
    assert dict(failed.values_list("username", "repeat_count")) == {"tanaka": 3, "suzuki": 1}


def _aged(days: int, kind=AccessKind.LOGIN) -> AccessRecord:
    record = record_access(None, kind, username=f"{kind}-{days}")
    AccessRecord.objects.filter(pk=record.pk).update(at=timezone.now() - timedelta(days=days))
    return record


def test_prune_removes_only_records_older_than_the_limit(capsys):
    _aged(500)
    _aged(401, AccessKind.EXPORT)
    kept = [_aged(399).pk, _aged(10).pk]

    call_command("prune_access_records")

    assert sorted(AccessRecord.objects.values_list("pk", flat=True)) == sorted(kept)
    out = capsys.readouterr().out
    assert "2 件のアクセス記録を削除しました" in out
    assert "ログイン 1 件" in out and "書き出し 1 件" in out


def test_prune_takes_the_number_of_days(capsys):
    _aged(40)
    _aged(20)

    call_command("prune_access_records", "--older-than-days", "30")

    assert AccessRecord.objects.count() == 1
    assert "1 件のアクセス記録を削除しました" in capsys.readouterr().out


def test_prune_dry_run_removes_nothing(capsys):
    _aged(500)

    call_command("prune_access_records", "--dry-run")

    assert AccessRecord.objects.count() == 1
    assert "1 件のアクセス記録を削除します（--dry-run のため削除していません）" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("days", ["0", "-5"])
def test_prune_refuses_a_limit_below_one_day(days):
    _aged(500)
    with pytest.raises(CommandError, match="1 以上の日数"):
        call_command("prune_access_records", "--older-than-days", days)
    assert AccessRecord.objects.count() == 1
