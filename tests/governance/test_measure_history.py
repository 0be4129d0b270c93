"""A measure's divisions in its history and in the outdated-form message."""

import pytest

from measures.history import measure_changes_since

pytestmark = pytest.mark.django_db


def test_changes_since_names_the_divisions(make_measure, make_division):
    measure = make_measure("申請のオンライン化")
    seen = measure.version
    measure.responsible_division = make_division("市民課")
    measure.save()
    measure.cooperating_divisions.add(make_division("情報企画課", department="総務部"))
    _, changes = measure_changes_since(measure, seen)
    by_label = {change.label: (change.old, change.new) for change in changes}
    assert by_label["担当課"] == ("なし", "テスト部 市民課")
    assert by_label["協力課"] == ("なし", "総務部 情報企画課")


def _history_section(response) -> str:
    import re

    html = response.content.decode()
    section = html[html.index('id="history-heading"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_measure_page_history_shows_division_and_notes_changes(
    reader_client, make_measure, make_division
):
    measure = make_measure("申請のオンライン化")
    measure.responsible_division = make_division("市民課")
    measure.save()
    measure.cooperating_divisions.add(make_division("情報企画課", department="総務部"))
    measure.notes = "令和8年度に完了予定"
    measure.save()

    response = reader_client.get(measure.get_absolute_url())

    text = _history_section(response)
    for header in ["担当課", "協力課", "備考"]:
        assert f" {header} " in text, header
    assert "テスト部 市民課" in text
    assert "総務部 情報企画課" in text
    assert "令和8年度に完了予定" in text
    changed = [entry["changed"] for entry in response.context["history"]]
    assert changed[0] == {"notes"}
    assert {"cooperating_divisions"} in changed
    assert {"responsible_division"} in changed


def test_measure_page_history_queries_do_not_grow_with_division_changes(
    reader_client, make_measure, make_division
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measure = make_measure("申請のオンライン化")
    measure.responsible_division = make_division("市民課")
    measure.save()
    reader_client.get(measure.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        reader_client.get(measure.get_absolute_url())
    for n in range(5):
        measure.cooperating_divisions.add(make_division(f"課{n}"))
        measure.responsible_division = make_division(f"担当課{n}")
        measure.save()
    with CaptureQueriesContext(connection) as many:
        reader_client.get(measure.get_absolute_url())
    assert len(many) == len(few)
