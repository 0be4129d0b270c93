"""The 推進体制 pages as staff see them: diagram and its text, divisions, teams."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import GovernanceBody
from measures.models import Status
from measures.services import measure_set_status

from .conftest import days_ago

pytestmark = pytest.mark.django_db

STRUCTURE = reverse("governance:structure")


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _plain(response) -> str:
    """Return the page's text as a reader sees it (tags removed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def _assert_csp_clean(content: str) -> None:
    assert " style=" not in content
    assert "<script" not in content
    assert not re.search(r"\son[a-z]+=", content)


@pytest.mark.parametrize(
    "url",
    [
        STRUCTURE,
        reverse("governance:division_list"),
        reverse("governance:team_list"),
    ],
)
def test_pages_need_a_login(client, governance_seeded, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_public_reading_opens_the_structure(client, settings, governance_seeded):
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(STRUCTURE).status_code == 200


def test_structure_page_draws_the_diagram_from_the_data(reader_client, governance_seeded):
    response = reader_client.get(STRUCTURE)
    assert response.status_code == 200
    content = _text(response)
    _assert_csp_clean(content)
    svg = content[content.index("<svg") : content.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-describedby="gov-relations-heading"' in svg
    assert svg.count('class="gov-box"') == 4
    assert svg.count('class="gov-relation"') == 6
    for label in ["報告・提案", "支援・調整", "働きかけ", "参画・検討", "招集・検討"]:
        assert f">{label}</text>" in svg
    assert 'data-source="policy" data-target="council"' in svg
    assert "総務部 情報企画課" in svg


def test_structure_page_has_the_same_relations_as_text(reader_client, governance_seeded):
    content = _text(reader_client.get(STRUCTURE))
    relations = content[content.index('id="gov-relations-heading"') :]
    assert "情報政策部門 から 庁議 へ：報告・提案" in relations
    assert "ＩＣＴ利活用実施部門 から プロジェクトチーム へ：参画・検討" in relations
    assert "プロジェクトチーム から 情報政策部門 へ：報告・提案" in relations
    assert "情報化推進リーダーの育成支援" in content
    assert "端末等の操作・運用管理の指導・助言" in content
    assert "プロジェクトチーム（設置した場合）" in content


def test_structure_follows_an_edit(reader_client, governance_seeded):
    council = GovernanceBody.objects.get(code="council")
    council.name = "庁議（改称）"
    council.save()
    content = _text(reader_client.get(STRUCTURE))
    assert ">庁議（改称）</text>" in content
    assert "情報政策部門 から 庁議（改称） へ：報告・提案" in content


def test_division_list_shows_heads_current_leaders_and_counts(
    reader_client, make_division, make_leader, make_measure
):
    division = make_division("市民課", head_name="岩手 花子")
    make_leader("前任 一郎", division=division, start=days_ago(800), end=days_ago(400))
    make_leader("滝沢 桜", division=division, start=days_ago(399))
    measure = make_measure("施策A")
    measure.responsible_division = division
    measure.save()
    content = _text(reader_client.get(reverse("governance:division_list")))
    _assert_csp_clean(content)
    assert "課長 岩手 花子" in content
    assert "滝沢 桜" in content
    assert "前任 一郎" not in content


@pytest.fixture
def division_with_measures(make_division, make_measure, make_leader, make_team):
    def build(count: int):
        division = make_division("市民課", head_name="岩手 花子")
        other = make_division("税務課")
        statuses = [Status.IMPLEMENTED, Status.PARTIAL, Status.NOT_STARTED]
        measures = []
        for i in range(count):
            measure = make_measure(f"施策{i}", status=statuses[i % 3])
            measure.responsible_division = division if i % 2 == 0 else other
            measure.save()
            if i % 2:
                measure.cooperating_divisions.add(division)
            measures.append(measure)
        make_leader("前任 一郎", division=division, start=days_ago(800), end=days_ago(400))
        make_leader("滝沢 桜", division=division, start=days_ago(399))
        make_team(divisions=[division, other], measures=measures[:2])
        return division, measures

    return build


def test_division_page_shows_head_leaders_measures_and_computed_totals(
    reader_client, division_with_measures
):
    division, measures = division_with_measures(6)
    response = reader_client.get(division.get_absolute_url())
    assert response.status_code == 200
    content = _text(response)
    _assert_csp_clean(content)
    assert "課長 岩手 花子" in content
    current = content[content.index("情報化推進リーダー</h2>") : content.index("任命の記録")]
    assert "滝沢 桜" in current
    assert "前任 一郎" not in current
    assert "前任 一郎" in content
    # Responsible: 施策0 ◎, 施策2 ×, 施策4 ○; cooperating: 施策1 ○, 施策3 ◎, 施策5 ×.
    detail = response.context["detail"]
    assert [(t.status, t.count) for t in detail.responsible_totals] == [
        (Status.IMPLEMENTED, 1),
        (Status.PARTIAL, 1),
        (Status.NOT_STARTED, 1),
    ]
    assert detail.responsible_count == 3
    assert detail.cooperating_count == 3
    assert f'href="{measures[0].get_absolute_url()}"' in content
    assert "◎ 実施 1件 ○ 一部着手 1件 × 未着手 1件 計 3件" in _plain(response)
    assert "テストプロジェクトチーム" in content


def test_division_totals_follow_a_status_change(reader_client, division_with_measures):
    division, measures = division_with_measures(6)
    measure_set_status(measures=[measures[2]], status=Status.IMPLEMENTED)
    detail = reader_client.get(division.get_absolute_url()).context["detail"]
    assert [t.count for t in detail.responsible_totals] == [2, 1, 0]
    assert "◎ 実施 2件 ○ 一部着手 1件 × 未着手 0件" in _plain(
        reader_client.get(division.get_absolute_url())
    )


def test_division_page_queries_do_not_grow_with_measures(
    reader_client, division_with_measures, make_measure, make_leader
):
    division, _ = division_with_measures(4)
    reader_client.get(division.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        reader_client.get(division.get_absolute_url())
    for i in range(30):
        measure = make_measure(f"追加施策{i}", period_numbers=(1, 2))
        measure.responsible_division = division
        measure.save()
    make_leader("三代目 次郎", division=division, start=days_ago(1000), end=days_ago(900))
    with CaptureQueriesContext(connection) as many:
        response = reader_client.get(division.get_absolute_url())
    assert response.context["detail"].responsible_count == 32
    assert len(many) == len(few)
    assert len(many) <= 16


def test_unknown_division_or_team_is_not_found(reader_client, db):
    assert reader_client.get(reverse("governance:division", args=[999])).status_code == 404
    assert reader_client.get(reverse("governance:team_detail", args=[999])).status_code == 404


def test_team_pages_list_active_and_dissolved_teams(
    reader_client, make_team, make_division, make_measure
):
    division = make_division("市民課")
    measure = make_measure("申請・届出のオンライン化の促進", status=Status.PARTIAL)
    active = make_team("オンライン化PT", divisions=[division], measures=[measure])
    make_team("旧PT", formed_on=datetime.date(2020, 4, 1), dissolved_on=datetime.date(2021, 3, 31))
    content = _text(reader_client.get(reverse("governance:team_list")))
    _assert_csp_clean(content)
    assert content.index("オンライン化PT") < content.index("解散したチーム") < content.index("旧PT")

    active.members.create(person_name="上田 実", division=division, role="リーダー")
    response = reader_client.get(active.get_absolute_url())
    content = _text(response)
    _assert_csp_clean(content)
    assert "上田 実" in content
    assert "リーダー" in content
    assert f'href="{division.get_absolute_url()}"' in content
    assert f'href="{measure.get_absolute_url()}"' in content
    assert "○ 一部着手 1件" in _plain(response)
