"""A measure's divisions in its history and in the outdated-form message."""

import pytest

from measures.selectors import measure_changes_since

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
