"""Search ignores full-width/half-width forms, case and the PDF's stray spaces."""

import pytest

from measures.models import Measure
from measures.text import search_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ＩＴ講習", "it講習"),
        ("IT 講習", "it講習"),
        ("申請･届出", "申請・届出"),
        ("ｼｽﾃﾑ", "システム"),
        ("　全角 空白\t", "全角空白"),
    ],
)
def test_search_key_normalises(text, key):
    assert search_key(text) == key


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ＩＴ講習", {"IT講習の推進"}),
        ("IT 講習", {"IT講習の推進"}),
        ("it講習", {"IT講習の推進"}),
        ("申請･届出", {"申請・届出のオンライン化の促進"}),
        ("防災ＧＩＳｼｽﾃﾑ", {"防災GISシステム等の構築"}),
        ("cals/ec", {"建設CALS/ECの導入"}),
        ("手数料の電子納付の実現", {"手数料の電子納付"}),
    ],
)
def test_measure_search_matches_across_widths_and_spaces(seeded, query, expected):
    assert set(Measure.objects.search(query).values_list("name", flat=True)) == expected


def test_measure_search_with_blank_query_returns_everything(seeded):
    assert Measure.objects.search("  ").count() == 75


def test_measure_search_returns_each_measure_once(seeded):
    names = list(Measure.objects.search("システム").values_list("pk", flat=True))
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("GIS 構築", {"防災GISシステム等の構築", "統合型GISシステムの構築"}),
        ("ＧＩＳ　構築", {"防災GISシステム等の構築", "統合型GISシステムの構築"}),
        ("  構築   防災 ｇｉｓ ", {"防災GISシステム等の構築"}),
        ("GIS 構築 予約", set()),
        # One word in the name, the other only in a re-listing's label (手数料の電子納付の実現).
        ("電子納付 実現", {"手数料の電子納付"}),
    ],
)
def test_measure_search_matches_every_word(seeded, query, expected):
    assert set(Measure.objects.search(query).values_list("name", flat=True)) == expected


def test_measure_search_of_many_words_is_one_query(seeded, django_assert_num_queries):
    query = " ".join(["システム"] * 40 + ["構築", "行政評価"])
    with django_assert_num_queries(1):
        names = list(Measure.objects.search(query).values_list("name", flat=True))
    assert names == ["行政評価システムの構築"]
