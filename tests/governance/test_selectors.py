"""Diagram geometry and the measure page's responsibility block."""

import math

import pytest
from django.template.loader import render_to_string

from governance.selectors import governance_structure, measure_responsibility

from .conftest import days_ago

pytestmark = pytest.mark.django_db


def _inside(x: float, y: float, box, tolerance: float = 0.5) -> bool:
    return (
        box.x - tolerance <= x <= box.x + box.width + tolerance
        and box.y - tolerance <= y <= box.y + box.height + tolerance
    )


def _on_edge(x: float, y: float, box) -> bool:
    on_vertical = abs(x - box.x) < 0.5 or abs(x - box.x - box.width) < 0.5
    on_horizontal = abs(y - box.y) < 0.5 or abs(y - box.y - box.height) < 0.5
    return _inside(x, y, box) and (on_vertical or on_horizontal)


def test_structure_loads_in_a_fixed_number_of_queries(governance_seeded, django_assert_num_queries):
    with django_assert_num_queries(4):
        structure = governance_structure()
        [list(body.roles.all()) for body in structure.bodies]


def test_diagram_arrows_run_from_edge_to_edge_of_their_boxes(governance_seeded):
    diagram = governance_structure().diagram
    boxes = {box.body.pk: box for box in diagram.boxes}
    assert len(diagram.arrows) == 6
    for arrow in diagram.arrows:
        source, target = boxes[arrow.relation.source_id], boxes[arrow.relation.target_id]
        assert _on_edge(arrow.x1, arrow.y1, source), arrow.relation
        assert _on_edge(arrow.x2, arrow.y2, target), arrow.relation
        assert 0 < arrow.label_x < diagram.width
        assert 0 < arrow.label_y < diagram.height


def test_diagram_boxes_sit_inside_the_picture_without_overlapping(governance_seeded):
    diagram = governance_structure().diagram
    for box in diagram.boxes:
        assert box.x >= 0 and box.x + box.width <= diagram.width
        assert box.y >= 0 and box.y + box.height <= diagram.height
    cells = {(box.body.diagram_row, box.body.diagram_column) for box in diagram.boxes}
    assert len(cells) == len(diagram.boxes)


def test_diagram_labels_do_not_overlap(governance_seeded):
    arrows = governance_structure().diagram.arrows
    for i, a in enumerate(arrows):
        for b in arrows[i + 1 :]:
            apart_x = abs(a.label_x - b.label_x) >= (a.label_width + b.label_width) / 2
            apart_y = abs(a.label_y - b.label_y) >= a.label_box_height
            assert apart_x or apart_y, (a.relation, b.relation)


def test_parallel_arrows_between_the_same_bodies_are_drawn_apart(governance_seeded):
    arrows = [
        a
        for a in governance_structure().diagram.arrows
        if {a.relation.source.code, a.relation.target.code} == {"policy", "project-team"}
    ]
    assert len(arrows) == 2
    first, second = arrows
    assert first.relation.source_id == second.relation.target_id
    gap = math.hypot(first.label_x - second.label_x, first.label_y - second.label_y)
    assert gap > 40


def test_measure_responsibility_in_a_fixed_number_of_queries(
    make_measure, make_division, make_leader, make_team, django_assert_max_num_queries
):
    measure = make_measure("申請のオンライン化")
    division = make_division("市民課")
    measure.responsible_division = division
    measure.save()
    make_leader("前任 一郎", division=division, start=days_ago(800), end=days_ago(400))
    make_leader("滝沢 桜", division=division, start=days_ago(399))
    for name in ["税務課", "情報企画課"]:
        measure.cooperating_divisions.add(make_division(name))
    make_team(measures=[measure])
    with django_assert_max_num_queries(4):
        responsibility = measure_responsibility(measure)
        names = [str(d) for d in responsibility.cooperating_divisions]
    assert responsibility.division == division
    assert [leader.person_name for leader in responsibility.current_leaders] == ["滝沢 桜"]
    assert sorted(names) == sorted(["テスト部 税務課", "テスト部 情報企画課"])
    assert [team.name for team in responsibility.project_teams] == ["テストプロジェクトチーム"]


def test_include_shows_division_leader_cooperating_divisions_and_teams(
    make_measure, make_division, make_leader, make_team, reader
):
    measure = make_measure("申請のオンライン化")
    division = make_division("市民課")
    measure.responsible_division = division
    measure.save()
    helper = make_division("情報企画課", department="総務部")
    measure.cooperating_divisions.add(helper)
    make_leader("滝沢 桜", division=division)
    team = make_team("オンライン化PT", measures=[measure])
    html = render_to_string(
        "governance/_measure_responsibility.html",
        {"responsibility": measure_responsibility(measure), "user": reader},
    )
    assert f'<a href="{division.get_absolute_url()}">テスト部 市民課</a>' in html
    assert "滝沢 桜" in html
    assert f'<a href="{helper.get_absolute_url()}">総務部 情報企画課</a>' in html
    assert f'<a href="{team.get_absolute_url()}">オンライン化PT</a>' in html
    assert " style=" not in html


def test_include_for_a_measure_without_a_division(make_measure):
    html = render_to_string(
        "governance/_measure_responsibility.html",
        {"responsibility": measure_responsibility(make_measure("未割当の施策"))},
    )
    assert "担当課" in html
    assert "未設定" in html
    assert "情報化推進リーダー" not in html
    assert "プロジェクトチーム" not in html
