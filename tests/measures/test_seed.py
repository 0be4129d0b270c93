"""The plan's seed data: counts, computed totals, order and the traps in the table."""

import pytest

from measures.models import Category, Measure, Plan, PlanPeriod, Relisting, Status
from measures.rows import category_table_rows
from measures.services import SEED_CHANGE_REASON, register_seed
from measures.totals import category_status_totals

pytestmark = pytest.mark.django_db

PLAN_TOTALS = {
    "e-citizen": (12, 19, 3),
    "e-business": (7, 4, 1),
    "e-city": (20, 6, 3),
}


def _totals_tuple(totals: dict[str, int]) -> tuple[int, int, int]:
    return (
        totals[Status.IMPLEMENTED],
        totals[Status.PARTIAL],
        totals[Status.NOT_STARTED],
    )


def test_seed_loads_every_row_of_the_three_tables(seeded):
    assert Measure.objects.count() == 75
    assert Relisting.objects.count() == 8
    assert list(Category.objects.values_list("code", flat=True)) == list(PLAN_TOTALS)


def test_seed_totals_are_computed_as_the_plan_prints_them(seeded):
    computed = {c.code: _totals_tuple(t) for c, t in category_status_totals()}
    assert computed == PLAN_TOTALS


def test_seed_totals_follow_an_edit(seeded):
    measure = Measure.objects.get(category__code="e-business", name="建設CALS/ECの導入")
    measure.status = Status.IMPLEMENTED
    measure.save()
    computed = {c.code: _totals_tuple(t) for c, t in category_status_totals()}
    assert computed["e-business"] == (8, 4, 0)


def test_seed_relistings_are_never_counted_in_their_second_category(seeded):
    city = Category.objects.get(code="e-city")
    rows = list(category_table_rows(city))
    assert len(rows) == 36
    assert sum(row.is_relisting for row in rows) == 7
    assert Measure.objects.filter(category=city).count() == 29
    assert sum(Measure.objects.filter(category=city).status_totals().values()) == 29


def test_seed_rows_keep_the_plans_order(seeded):
    rows = list(category_table_rows(Category.objects.get(code="e-business")))
    assert [row.position for row in rows] == list(range(1, 14))
    assert rows[0].label == "ITを活用した営農・経営活動の支援"
    assert rows[5].is_relisting
    assert rows[5].label == "申請・届出のオンライン化"
    assert rows[-1].label == "電子納品の導入"


def test_seed_relisting_keeps_its_own_printed_label(seeded):
    online = Relisting.objects.get(category__code="e-business")
    assert online.label == "申請・届出のオンライン化"
    assert online.measure.name == "申請・届出のオンライン化の促進"
    assert online.measure.category.code == "e-citizen"

    fee = Relisting.objects.get(label="手数料の電子納付の実現")
    assert fee.measure.name == "手数料の電子納付"
    assert fee.measure.status == Status.NOT_STARTED


def test_seed_holds_two_distinct_measures_with_the_same_name(seeded):
    tax = Measure.objects.filter(name="新市民税システムの構築").order_by("position")
    assert [(m.category.code, m.mark, m.periods_display) for m in tax] == [
        ("e-city", "○", "一次"),
        ("e-city", "◎", "二次"),
    ]


def test_seed_homepage_measures_are_two_measures_not_a_relisting(seeded):
    pages = Measure.objects.filter(name="ホームページを活用した情報提供の充実")
    assert sorted((m.category.code, m.mark, m.periods_display) for m in pages) == [
        ("e-citizen", "○", "四次"),
        ("e-city", "◎", "一次～三次"),
    ]
    assert not Relisting.objects.filter(label="ホームページを活用した情報提供の充実").exists()


def test_seed_periods_are_sets_not_strings(seeded):
    gis = Measure.objects.get(name="統合型GISシステムの構築")
    assert list(gis.periods.values_list("number", flat=True)) == [1, 4]
    assert gis.periods_display == "一次・四次"
    school = Measure.objects.get(name="学校教育施設の基盤インフラ整備")
    assert list(school.periods.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert school.periods_display == "一次～四次"


def test_seed_every_measure_has_an_initial_history_entry(seeded):
    assert Measure.history.filter(history_type="+").count() == 75
    assert Relisting.history.filter(history_type="+").count() == 8
    # The tables and periods too, so their history starts with the plan, not at a first edit.
    for model, count in ((Plan, 1), (PlanPeriod, 4), (Category, 3)):
        records = model.history.all()
        assert records.count() == model.objects.count() == count, model
        assert {r.history_type for r in records} == {"+"}
        assert {r.history_change_reason for r in records} == {SEED_CHANGE_REASON}
    first = Measure.history.get(name="統合型GISシステムの構築")
    assert first.history_change_reason == SEED_CHANGE_REASON
    assert sorted(p.planperiod.number for p in first.periods.all()) == [1, 4]


def test_seed_does_not_overwrite_existing_data(seeded):
    measure = Measure.objects.get(name="IT講習の推進")
    measure.status = Status.IMPLEMENTED
    measure.save()
    assert register_seed() is False
    measure.refresh_from_db()
    assert measure.status == Status.IMPLEMENTED
    assert Measure.objects.count() == 75


def test_seed_search_keys_are_filled_for_loaded_rows(seeded):
    assert not Measure.objects.filter(search_text="").exists()
    assert not Relisting.objects.filter(search_text="").exists()
