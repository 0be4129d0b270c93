"""The admin history list and version pages read in Japanese, with marks and labels."""

import datetime
import re

import pytest
from django.urls import reverse

from governance.models import Department, Division, PromotionLeader
from measures.models import PlanPeriod, Status

pytestmark = pytest.mark.django_db

CODES = [
    "OBJECT",
    "Object",
    "HISTORY_USERNAME",
    "history_username",
    "None",
    "not_started",
    "implemented",
    "Revert",
    "Changed by",
    "Date/time",
]


def _text(response) -> str:
    html = response.content.decode()
    main = html[html.index('id="content"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def edited_measure(make_measure, admin_user):
    measure = make_measure(
        "申請のオンライン化", status=Status.IMPLEMENTED, period_numbers=(1, 2, 3)
    )
    division = Division.objects.create(
        department=Department.objects.create(name="総務部"), name="情報企画課"
    )
    measure._history_user = admin_user
    measure._change_reason = "年度末の見直し"
    measure.status = Status.NOT_STARTED
    measure.responsible_division = division
    measure.save()
    measure.periods.add(PlanPeriod.objects.get(number=4))
    return measure


def test_measure_history_list_reads_in_japanese(admin_client, admin_user, edited_measure):
    response = admin_client.get(reverse("admin:measures_measure_history", args=[edited_measure.pk]))

    assert response.status_code == 200
    text = _text(response)
    for header in ["日時", "変更者", "種別", "状況", "変更理由", "変更内容"]:
        assert f" {header} " in text, header
    assert "状況: ◎ 実施 → × 未着手" in text
    assert "計画期間: 一次～三次 → 一次～四次" in text
    assert "担当課: なし → 総務部 情報企画課" in text
    assert "年度末の見直し" in text
    assert "版:" not in text  # the version counter is bookkeeping, not a change
    assert text.count(admin_user.get_username()) >= 2
    for code in CODES:
        assert code not in text, code
    assert len(re.findall(r"<th[^>]*>変更者</th>", response.content.decode())) == 1


def test_version_page_reads_in_japanese(admin_client, edited_measure):
    first = edited_measure.history.order_by("history_date", "history_id")[1]
    response = admin_client.get(
        reverse(
            "admin:measures_measure_simple_history",
            args=[edited_measure.pk, first.history_id],
        )
    )

    assert response.status_code == 200
    text = _text(response)
    assert "の版" in text and "この版に戻す" in text
    assert "◎ 実施" in text and "× 未着手" in text
    assert "一次～三次" in text and "一次～四次" in text
    assert "▶ 状況" in text and "▶ 担当課" in text
    for code in CODES:
        assert code not in text, code


def test_appointment_history_shows_dates_and_empty_values_in_words(admin_client, admin_user):
    division = Division.objects.create(
        department=Department.objects.create(name="市民部"), name="市民課"
    )
    leader = PromotionLeader.objects.create(
        division=division,
        person_name="盛岡 太郎",
        appointed_by="市民課長",
        start_date=datetime.date(2020, 4, 1),
    )
    leader._history_user = admin_user
    leader.end_date = datetime.date(2021, 3, 31)
    leader.save()

    response = admin_client.get(
        reverse("admin:governance_promotionleader_history", args=[leader.pk])
    )

    text = _text(response)
    for header in [
        "日時",
        "変更者",
        "種別",
        "任期の開始日",
        "任期の終了日",
        "変更理由",
        "変更内容",
    ]:
        assert f" {header} " in text, header
    assert "任期の終了日: なし → 2021-03-31" in text
    assert " 登録 " in text and " 変更 " in text
    for code in CODES:
        assert code not in text, code


def _history_admins():
    from django.contrib import admin

    from morioka_ict.history_admin import HistoryAdmin

    return [m for m in admin.site._registry.values() if isinstance(m, HistoryAdmin)]


@pytest.mark.parametrize("model_admin", _history_admins(), ids=lambda m: m.model._meta.model_name)
def test_every_history_list_and_version_page_reads_in_japanese(
    admin_client, admin_user, seeded, model_admin
):
    import io

    from django.core.management import call_command

    from governance.services import register_governance_seed

    register_governance_seed()
    call_command("load_governance_sample", stdout=io.StringIO())
    obj = model_admin.model.objects.first()
    obj._history_user = admin_user
    obj.save()
    meta = model_admin.model._meta
    latest = obj.history.order_by("-history_date", "-history_id").first()

    listing = admin_client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk])
    )
    version = admin_client.get(
        reverse(
            f"admin:{meta.app_label}_{meta.model_name}_simple_history",
            args=[obj.pk, latest.history_id],
        )
    )

    assert listing.status_code == version.status_code == 200
    for text in (_text(listing), _text(version)):
        assert "変更者" in text
        for code in CODES:
            assert code not in text, code
