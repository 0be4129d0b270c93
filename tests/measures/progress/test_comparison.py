"""Round comparison: per measure, what changed since the previous confirmed round."""

import csv
import dataclasses
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Measure, Status
from measures.progress import result_views, services
from measures.progress.comparison import ChangeKind, change_kind, round_comparison
from measures.progress.models import ProgressReport, RoundState

from .builders import ANSWER, advance, approve, report_of, submit

pytestmark = pytest.mark.django_db

PARTIAL = dataclasses.replace(ANSWER, status=Status.PARTIAL, progress_percent=40)
NOT_STARTED = dataclasses.replace(ANSWER, status=Status.NOT_STARTED, progress_percent=0)


def _answer(progress_round, measure, who, content, people):
    report = report_of(progress_round, measure)
    submit(report, who, content)
    approve(report, people.policy)


@pytest.fixture
def rounds(make_round, register, people):
    """令和6年度 (confirmed): own ◎, other ○. 令和7年度 (closed): own ○ (regressed), other ◎
    (improved), own_second × (new: no answer before), unassigned without an answer."""
    first = make_round(RoundState.OPEN, title="令和6年度 進捗調査")
    _answer(first, register.own, people.leader, ANSWER, people)
    _answer(first, register.other, people.other_leader, PARTIAL, people)
    advance(first, services.progress_round_close, people.policy)
    advance(first, services.progress_round_confirm, people.policy)
    second = make_round(RoundState.OPEN, title="令和7年度 進捗調査")
    _answer(second, register.own, people.leader, PARTIAL, people)
    _answer(second, register.other, people.other_leader, ANSWER, people)
    _answer(second, register.own_second, people.leader, NOT_STARTED, people)
    advance(second, services.progress_round_close, people.policy)
    return first, second


def _confirm(progress_round, people):
    advance(progress_round, services.progress_round_confirm, people.policy)


def _url(progress_round, name="round_compare"):
    return reverse(f"measures:progress:{name}", args=[progress_round.pk])


def test_change_kind_follows_the_order_of_the_marks():
    assert change_kind("not_started", "partial") == ChangeKind.IMPROVED
    assert change_kind("implemented", "partial") == ChangeKind.REGRESSED
    assert change_kind("partial", "partial") == ChangeKind.UNCHANGED
    assert change_kind("", "partial") == ChangeKind.NEW
    assert change_kind("partial", "") == ChangeKind.NO_ANSWER


def test_comparison_gives_each_measure_its_change(rounds, register):
    first, second = rounds
    comparison = round_comparison(second)
    assert comparison.previous_round == first
    kinds = {row.measure.pk: row.kind for row in comparison.rows}
    assert kinds == {
        register.own.pk: ChangeKind.REGRESSED,
        register.other.pk: ChangeKind.IMPROVED,
        register.own_second.pk: ChangeKind.NEW,
        register.unassigned.pk: ChangeKind.NO_ANSWER,
    }
    own = next(row for row in comparison.rows if row.measure == register.own)
    assert (own.before, own.before_percent, own.after, own.after_percent) == (
        Status.IMPLEMENTED,
        100,
        Status.PARTIAL,
        40,
    )


def test_page_shows_counts_and_rows_for_policy(client, rounds, people):
    client.force_login(people.policy)
    page = client.get(_url(rounds[1])).content.decode()
    assert "令和6年度 進捗調査" in page
    for label in ("改善", "後退", "新規（前回の回答なし）", "承認された回答なし"):
        assert f'">{label}</span> 1</li>' in page, label
    assert "まだ確定していません" in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"kind": "improved"}, ["税務課の施策"]),
        ({"kind": "regressed"}, ["市民課の施策"]),
        ({"category": "e-one"}, ["市民課の施策", "市民課の二つ目の施策"]),
        ({"division": "none"}, ["担当課のない施策"]),
        ({"category": "e-two", "kind": "no_answer"}, ["担当課のない施策"]),
    ],
)
def test_page_filters_by_category_kind_and_division(client, rounds, people, query, names):
    client.force_login(people.policy)
    response = client.get(_url(rounds[1]), query)
    shown = [row.measure.name for row in response.context["page"]]
    assert shown == names


def test_page_filters_by_division(client, rounds, people, divisions):
    client.force_login(people.policy)
    response = client.get(_url(rounds[1]), {"division": divisions[1].pk})
    assert [row.measure.name for row in response.context["page"]] == ["税務課の施策"]


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "better"},
        {"category": "no-such"},
        {"division": "abc"},
        {"division": "999999"},
        {"page": "-1"},
        {"page": "abc"},
    ],
)
def test_bad_filters_give_a_message_and_every_row(client, rounds, people, query):
    client.force_login(people.policy)
    response = client.get(_url(rounds[1]), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "すべての施策を表示しています" in page
    assert len(response.context["page"].object_list) == 4


def test_bad_filters_refuse_the_csv_with_a_message(client, rounds, people):
    client.force_login(people.policy)
    response = client.get(_url(rounds[1], "round_compare_csv"), {"kind": "better"})
    assert response.status_code == 400
    assert "選べない値です" in response.content.decode()


def test_page_is_paged(client, rounds, people, monkeypatch):
    monkeypatch.setattr(result_views, "PAGE_SIZE", 3)
    client.force_login(people.policy)
    first = client.get(_url(rounds[1]))
    assert len(first.context["page"].object_list) == 3
    assert 'rel="next"' in first.content.decode()
    second = client.get(_url(rounds[1]), {"page": 2})
    assert [row.measure.name for row in second.context["page"]] == ["担当課のない施策"]


def test_csv_holds_the_filtered_rows_with_formulas_guarded(client, rounds, people, register):
    Measure.objects.filter(pk=register.other.pk).update(name="=HYPERLINK(1)")
    client.force_login(people.policy)
    response = client.get(_url(rounds[1], "round_compare_csv"), {"category": "e-two"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["区分", "表内の位置", "施策名"]
    assert rows[1][2:] == [
        "'=HYPERLINK(1)",
        "（テスト）市民部 税務課",
        "一部着手",
        "40",
        "実施",
        "100",
        "改善",
    ]
    assert rows[2][2] == "担当課のない施策" and rows[2][-1] == "承認された回答なし"
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("who", "before_confirm", "after_confirm"),
    [
        ("policy", 200, 200),
        ("administrator", 200, 200),
        ("leader", 403, 200),
        ("reader", 403, 200),
    ],
)
def test_who_may_read_the_comparison(client, rounds, people, who, before_confirm, after_confirm):
    client.force_login(getattr(people, who))
    for name in ("round_compare", "round_compare_csv"):
        assert client.get(_url(rounds[1], name)).status_code == before_confirm
    _confirm(rounds[1], people)
    for name in ("round_compare", "round_compare_csv"):
        assert client.get(_url(rounds[1], name)).status_code == after_confirm


def test_public_reads_only_confirmed_rounds_and_no_names(client, settings, rounds, people):
    settings.DASHBOARD_PUBLIC_READ = True
    response = client.get(_url(rounds[1]))
    assert response.status_code == 302 and "login" in response["Location"]
    _confirm(rounds[1], people)
    page = client.get(_url(rounds[1])).content.decode()
    assert "市民課の施策" in page
    for name in ("盛岡 花子", "紫波 三郎", "leader", "kikaku"):
        assert name not in page
    assert client.get(_url(rounds[1], "round_compare_csv")).status_code == 200


def test_anonymous_without_public_reading_goes_to_login(client, rounds, people):
    _confirm(rounds[1], people)
    assert client.get(_url(rounds[1])).status_code == 302


def test_dashboard_and_round_list_link_the_comparison(client, rounds, people):
    client.force_login(people.policy)
    url = _url(rounds[1])
    assert url in client.get(reverse("measures:progress:rounds")).content.decode()
    assert (
        url in client.get(reverse("measures:progress:round", args=[rounds[1].pk])).content.decode()
    )


def test_query_count_stays_the_same_with_hundreds_of_measures(client, rounds, people, register):
    client.force_login(people.policy)
    first, second = rounds
    urls = [_url(second), _url(second, "round_compare_csv")]

    def counts():
        result = []
        for url in urls:
            for query in ({}, {"kind": "improved", "category": "e-one", "page": "2"}):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url, query).status_code == 200
                result.append(len(queries))
        return result

    few = counts()
    category = register.own.category
    measures = Measure.objects.bulk_create(
        Measure(category=category, position=1000 + n, name=f"生成施策{n}", status="partial")
        for n in range(300)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(round=r, measure=m, state="approved", status=list(Status)[n % 3])
        for n, m in enumerate(measures)
        for r in (first, second)
    )
    many = counts()
    assert many == few
