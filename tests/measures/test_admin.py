"""情報企画課's editing in Django admin: lists, search, bulk status, history and validation."""

import pytest
from django.urls import reverse

from measures.models import Category, Measure, PlanPeriod, Relisting, Status
from tests.admin_forms import measure_form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:measures_measure_changelist")


def _change_url(measure: Measure) -> str:
    return reverse("admin:measures_measure_change", args=[measure.pk])


def test_admin_changelist_lists_measures_in_plan_order_with_facets(seeded, admin_client):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    names = [m.name for m in response.context["cl"].result_list]
    assert names[0] == "学校教育施設の基盤インフラ整備"
    assert names[-1] == "業務継続計画に係る情報システム対策"
    content = response.content.decode()
    assert "◎ 実施" in content
    assert "実施 (39)" in content
    assert "一部着手 (29)" in content
    assert "未着手 (7)" in content


def test_admin_changelist_filters_by_period(seeded, admin_client):
    fourth = PlanPeriod.objects.get(number=4)
    response = admin_client.get(CHANGELIST, {"periods__id__exact": fourth.pk})
    assert response.context["cl"].result_count == Measure.objects.filter(periods=fourth).count()
    assert response.context["cl"].result_count == 22


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ＩＴ講習", ["IT講習の推進"]),
        ("IT 講習", ["IT講習の推進"]),
        ("申請･届出", ["申請・届出のオンライン化の促進"]),
        ("統合型ＧＩＳｼｽﾃﾑ", ["統合型GISシステムの構築"]),
        ("GIS 構築", ["防災GISシステム等の構築", "統合型GISシステムの構築"]),
        ("ＧＩＳ　統合型", ["統合型GISシステムの構築"]),
    ],
)
def test_admin_search_ignores_width_and_spaces(seeded, admin_client, query, expected):
    response = admin_client.get(CHANGELIST, {"q": query})
    assert [m.name for m in response.context["cl"].result_list] == expected


def test_admin_bulk_status_change_records_history_per_measure(seeded, admin_client, admin_user):
    targets = list(Measure.objects.filter(status=Status.NOT_STARTED, category__code="e-city"))
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "set_status_implemented",
            "_selected_action": [m.pk for m in targets],
            **{f"version_{m.pk}": m.version for m in targets},
            "confirm": "yes",
            "change_reason": "庁議で報告",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "3 件の状況を「実施」に変更しました" in response.content.decode()
    for measure in targets:
        measure.refresh_from_db()
        assert measure.status == Status.IMPLEMENTED
        latest = measure.history.latest()
        assert latest.history_user == admin_user
        assert latest.history_change_reason == "庁議で報告"
        assert latest.status == Status.IMPLEMENTED
        assert latest.prev_record.status == Status.NOT_STARTED


def test_admin_edit_is_recorded_in_history(seeded, admin_client, admin_user):
    measure = Measure.objects.get(name="IT講習の推進")
    periods = [p.pk for p in PlanPeriod.objects.filter(number__in=[1, 2])]
    response = admin_client.post(
        _change_url(measure),
        measure_form_data(
            measure, status=Status.IMPLEMENTED, periods=periods, notes="2026年度に完了"
        ),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == Status.IMPLEMENTED
    assert measure.periods_display == "一次～二次"
    latest = measure.history.latest()
    assert latest.history_user == admin_user
    assert latest.notes == "2026年度に完了"
    assert sorted(p.planperiod.number for p in latest.periods.all()) == [1, 2]
    seed_entry = measure.history.earliest()
    assert seed_entry.status == Status.PARTIAL
    history_page = admin_client.get(reverse("admin:measures_measure_history", args=[measure.pk]))
    assert history_page.status_code == 200
    assert admin_user.username in history_page.content.decode()


def test_admin_refuses_a_measure_without_periods(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    response = admin_client.post(_change_url(measure), measure_form_data(measure, periods=[]))
    assert response.status_code == 200
    assert "計画期間を少なくとも一つ選んでください" in response.content.decode()
    assert measure.periods.count() == 1


def test_admin_refuses_a_relisting_in_the_measures_own_category(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    data = measure_form_data(
        measure,
        relistings=[{"category": measure.category_id, "position": 99, "label": "IT講習"}],
    )
    response = admin_client.post(_change_url(measure), data)
    assert response.status_code == 200
    assert "それ自身の区分には再掲できません" in response.content.decode()
    assert not measure.relistings.exists()


def test_admin_refuses_a_position_used_by_a_relisting(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    city = Category.objects.get(code="e-city")
    response = admin_client.post(
        _change_url(measure), measure_form_data(measure, category=city.pk, position=9)
    )
    assert response.status_code == 200
    assert "再掲「市民電子会議室の運営」が使っています" in response.content.decode()
    measure.refresh_from_db()
    assert measure.category.code == "e-citizen"


def test_admin_refuses_a_position_used_by_another_measure(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    response = admin_client.post(_change_url(measure), measure_form_data(measure, position=1))
    assert response.status_code == 200
    assert "この区分のこの位置には既に施策があります" in response.content.decode()
    measure.refresh_from_db()
    assert measure.position == 3


def test_admin_adds_a_relisting_inline(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    city = Category.objects.get(code="e-city")
    data = measure_form_data(
        measure, relistings=[{"category": city.pk, "position": 37, "label": "IT講習"}]
    )
    response = admin_client.post(_change_url(measure), data)
    assert response.status_code == 302
    relisting = Relisting.objects.get(category=city, position=37)
    assert relisting.measure == measure
    assert relisting.history.count() == 1


def test_admin_relisting_search_ignores_width(seeded, admin_client):
    response = admin_client.get(reverse("admin:measures_relisting_changelist"), {"q": "申請･届出"})
    assert [r.label for r in response.context["cl"].result_list] == ["申請・届出のオンライン化"]


def test_admin_changelist_queries_do_not_grow_with_measures(seeded, admin_client, make_measure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CHANGELIST, {"all": ""})
    for i in range(60):
        make_measure(f"追加施策{i}", category=Category.objects.get(code="e-city"))
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(CHANGELIST, {"all": ""})
    assert response.context["cl"].result_count == 135
    assert len(many) == len(few)


def test_admin_change_form_offers_status_with_marks(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    content = admin_client.get(_change_url(measure)).content.decode()
    assert "◎ 実施" in content
    assert "× 未着手" in content


def test_admin_refuses_an_edit_made_from_an_outdated_form(seeded, admin_client, django_user_model):
    measure = Measure.objects.get(name="IT講習の推進")
    stale_form = measure_form_data(measure, notes="古い画面からの変更")

    colleague = django_user_model.objects.create_user("yamada", is_staff=True)
    fresh = Measure.objects.get(pk=measure.pk)
    fresh.status = Status.IMPLEMENTED
    fresh._history_user = colleague
    fresh.save()

    response = admin_client.post(_change_url(measure), stale_form)
    assert response.status_code == 200
    content = response.content.decode()
    assert "yamada さんが" in content
    assert "状況: 一部着手 → 実施" in content
    assert "あなたの変更は保存していません" in content
    measure.refresh_from_db()
    assert measure.status == Status.IMPLEMENTED
    assert measure.notes == ""


def test_admin_refuses_a_form_without_its_version(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    data = measure_form_data(measure, notes="版なし")
    del data["expected_version"]
    response = admin_client.post(_change_url(measure), data)
    assert response.status_code == 200
    assert "ページを開き直して" in response.content.decode()
    measure.refresh_from_db()
    assert measure.notes == ""


def test_admin_edit_keeps_its_reason_and_author_after_the_user_is_deleted(
    seeded, client, django_user_model
):
    editor = django_user_model.objects.create_superuser("sato", "sato@example.jp", "x")
    client.force_login(editor)
    measure = Measure.objects.get(name="IT講習の推進")
    response = client.post(
        _change_url(measure),
        measure_form_data(
            measure, status=Status.IMPLEMENTED, change_reason="令和7年度末の実績を反映"
        ),
    )
    assert response.status_code == 302
    client.logout()
    editor.delete()

    latest = Measure.objects.get(pk=measure.pk).history.first()
    assert latest.history_user is None
    assert latest.history_username == "sato"
    assert latest.history_change_reason == "令和7年度末の実績を反映"


def test_admin_refuses_a_form_asking_for_thousands_of_relisting_rows(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    data = measure_form_data(measure)
    data["relistings-TOTAL_FORMS"] = 5000

    response = admin_client.post(_change_url(measure), data)

    assert response.status_code == 200
    assert response.content.decode().count('name="relistings-') < 200


def test_admin_changelist_filters_by_responsible_division(seeded, admin_client):
    from governance.models import Department, Division

    division = Division.objects.create(
        department=Department.objects.create(name="市民部"), name="市民課"
    )
    measure = Measure.objects.get(name="IT講習の推進")
    measure.responsible_division = division
    measure.save()

    response = admin_client.get(CHANGELIST, {"responsible_division__id__exact": division.pk})

    assert [m.name for m in response.context["cl"].result_list] == ["IT講習の推進"]
    assert "市民部 市民課" in response.content.decode()


def test_admin_save_itself_refuses_a_version_it_has_not_seen(seeded, rf, admin_user):
    """The form's check gives the message; the save is guarded too, whoever calls it."""
    from django.contrib import admin

    from measures.services import EditConflict

    model_admin = admin.site._registry[Measure]
    measure = Measure.objects.get(name="IT講習の推進")
    seen = measure.version
    colleague_copy = Measure.objects.get(pk=measure.pk)
    colleague_copy.notes = "同僚の編集"
    colleague_copy.save()
    request = rf.post(_change_url(measure))
    request.user = admin_user
    form = model_admin.get_form(request, measure, change=True)(instance=measure)
    form.cleaned_data = {"expected_version": seen, "change_reason": ""}
    measure.notes = "古い画面からの変更"

    with pytest.raises(EditConflict):
        model_admin.save_model(request, measure, form, change=True)

    measure.refresh_from_db()
    assert (measure.notes, measure.version) == ("同僚の編集", seen + 1)


def _assign_divisions(count: int) -> None:
    """Give the first ``count`` measures a 担当課 each, every one in a department of its own."""
    from governance.models import Department, Division

    Measure.objects.update(responsible_division=None)
    for i, measure in enumerate(Measure.objects.order_by("pk")[:count]):
        department, _ = Department.objects.get_or_create(name=f"第{i}部")
        division, _ = Division.objects.get_or_create(department=department, name=f"第{i}課")
        Measure.objects.filter(pk=measure.pk).update(responsible_division=division)


@pytest.mark.parametrize(
    "changelist",
    [CHANGELIST, reverse("admin:measures_progressreport_changelist")],
)
def test_admin_lists_do_not_grow_with_responsible_divisions(seeded, admin_client, changelist):
    """Each row names its 担当課 with the department (「総務部 情報企画課」), and so does the
    担当課 filter: neither may cost a query per row or per division."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from measures.progress.services import progress_round_create

    progress_round_create(
        title="令和7年度 進捗調査",
        reference_date=datetime.date(2026, 3, 31),
        opens_on=datetime.date(2026, 4, 1),
        closes_on=datetime.date(2026, 4, 30),
        user=get_user_model().objects.get(username="admin"),
    )
    _assign_divisions(2)
    admin_client.get(changelist)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(changelist)
    _assign_divisions(40)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(changelist)
    assert "第39部 第39課" in response.content.decode()
    assert len(many) == len(few)
