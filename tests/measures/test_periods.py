import pytest

from measures.periods import PeriodTextError, format_periods, parse_periods

pytestmark = pytest.mark.django_db


def _numbers(periods) -> list[int]:
    return [p.number for p in periods]


@pytest.mark.parametrize(
    ("numbers", "printed"),
    [
        ([1, 2, 3, 4], "一次～四次"),
        ([1, 4], "一次・四次"),
        ([2], "二次"),
        ([1, 2], "一次～二次"),
        ([1, 2, 4], "一次～二次・四次"),
        ([], ""),
    ],
)
def test_format_periods_prints_as_the_plan_does(periods, numbers, printed):
    chosen = [p for p in reversed(periods) if p.number in numbers]
    assert format_periods(chosen) == printed


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("一次～四次", [1, 2, 3, 4]),
        ("一次・四次", [1, 4]),
        ("一次･四次", [1, 4]),
        ("二次", [2]),
        ("第三次", [3]),
        ("二次~三次", [2, 3]),
        ("二次〜四次", [2, 3, 4]),
        (" 一次 ～ 二次 ", [1, 2]),
    ],
)
def test_parse_periods_reads_the_plans_notation(periods, text, numbers):
    assert _numbers(parse_periods(text, periods)) == numbers


@pytest.mark.parametrize("text", ["", "五次", "一次～", "四次～一次", "一次・・二次", "2026年度"])
def test_parse_periods_refuses_unreadable_text_with_a_message(periods, text):
    with pytest.raises(PeriodTextError) as error:
        parse_periods(text, periods)
    assert "計画期間" in str(error.value)


def test_parse_and_format_round_trip(periods):
    for text in ["一次～四次", "一次・四次", "二次～三次", "三次"]:
        assert format_periods(parse_periods(text, periods)) == text


def test_period_errors_follow_the_reader_language(periods):
    from django.utils import translation

    with pytest.raises(PeriodTextError, match="計画期間「五次」を読み取れません"):
        parse_periods("五次", periods)
    with translation.override("en"), pytest.raises(PeriodTextError, match="cannot be read"):
        parse_periods("五次", periods)
