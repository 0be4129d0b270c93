"""The bulk status action: a confirmation page with a required reason, and the edit guard."""

import re

import pytest
from django.urls import reverse

from measures.models import Measure, Status
from tests.admin_forms import measure_form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:measures_measure_changelist")
ACTION = "set_status_implemented"


@pytest.fixture
def selected(make_measure):
    return [
        make_measure("施策A", status=Status.PARTIAL),
        make_measure("施策B", status=Status.NOT_STARTED),
        make_measure("施策C", status=Status.IMPLEMENTED),
    ]


def _state(measures) -> list[tuple]:
    return [
        (m.status, m.version, m.history.count())
        for m in Measure.objects.filter(pk__in=[m.pk for m in measures]).order_by("pk")
    ]


def _choose_action(client, measures):
    """Select the measures on the list and run the action, as the list page posts it."""
    return client.post(
        CHANGELIST,
        {"action": ACTION, "index": 0, "_selected_action": [m.pk for m in measures]},
    )


def _confirmation_inputs(page) -> dict[str, list[str]]:
    """Return what the confirmation page's form posts back (hidden inputs)."""
    posted: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()
    ):
        if name != "csrfmiddlewaretoken":
            posted.setdefault(name, []).append(value)
    return posted


def test_action_first_shows_a_confirmation_and_changes_nothing(admin_client, selected):
    before = _state(selected)

    page = _choose_action(admin_client, selected)

    assert page.status_code == 200
    text = page.content.decode()
    assert "状況の一括変更の確認" in text
    assert "3 件の施策の状況を ◎ 実施 に変更します" in text
    assert "施策A" in text and "施策B" in text and "施策C" in text
    assert "○ 一部着手 → ◎ 実施" in text
    assert "× 未着手 → ◎ 実施" in text
    assert "◎ 実施（変更なし）" in text
    assert 'name="change_reason"' in text
    assert _state(selected) == before


def test_confirmed_change_records_the_reason_and_counts_new_versions(
    admin_client, admin_user, selected
):
    page = _choose_action(admin_client, selected)
    history_before = [m.history.count() for m in selected]

    response = admin_client.post(
        CHANGELIST,
        {**_confirmation_inputs(page), "change_reason": "令和7年度末の実績を反映"},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 件の状況を「実施」に変更しました" in response.content.decode()
    for measure, count in zip(selected[:2], history_before, strict=False):
        measure.refresh_from_db()
        assert (measure.status, measure.version) == (Status.IMPLEMENTED, 2)
        latest = measure.history.first()
        assert latest.history_change_reason == "令和7年度末の実績を反映"
        assert latest.history_user == admin_user
        assert latest.prev_record.status != Status.IMPLEMENTED
        assert measure.history.count() == count + 1
    assert selected[2].history.count() == history_before[2]
    assert Measure.objects.get(pk=selected[2].pk).version == 1


def test_confirmation_without_a_reason_changes_nothing(admin_client, selected):
    page = _choose_action(admin_client, selected)
    before = _state(selected)

    response = admin_client.post(CHANGELIST, {**_confirmation_inputs(page), "change_reason": ""})

    assert response.status_code == 200
    assert "変更理由を入力してください" in response.content.decode()
    assert _state(selected) == before


def test_edit_made_after_the_confirmation_refuses_the_whole_change(
    admin_client, selected, django_user_model
):
    page = _choose_action(admin_client, selected)
    colleague = django_user_model.objects.create_user("yamada")
    edited = Measure.objects.get(pk=selected[1].pk)
    edited.notes = "同僚の編集"
    edited._history_user = colleague
    edited.save()
    before = _state(selected)

    response = admin_client.post(
        CHANGELIST, {**_confirmation_inputs(page), "change_reason": "一括反映"}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "施策「施策B」は、あなたが開いた後に yamada さんが" in text
    assert "あなたの変更は保存していません" in text
    assert _state(selected) == before
    # The page now shows the measures as they are, so the change can be confirmed again.
    again = admin_client.post(
        CHANGELIST, {**_confirmation_inputs(response), "change_reason": "一括反映"}
    )
    assert again.status_code == 302
    assert set(Measure.objects.values_list("status", flat=True)) == {Status.IMPLEMENTED}


def test_confirmation_posted_without_versions_is_refused(admin_client, selected):
    page = _choose_action(admin_client, selected)
    posted = {
        key: value
        for key, value in _confirmation_inputs(page).items()
        if not key.startswith("version_")
    }
    before = _state(selected)

    response = admin_client.post(CHANGELIST, {**posted, "change_reason": "一括反映"})

    assert response.status_code == 200
    assert "あなたの変更は保存していません" in response.content.decode()
    assert _state(selected) == before


def test_stale_admin_form_saved_after_the_bulk_change_gets_the_conflict_message(
    admin_client, selected
):
    measure = selected[0]
    stale_form = measure_form_data(measure, notes="古い画面からの変更")
    page = _choose_action(admin_client, selected)
    admin_client.post(CHANGELIST, {**_confirmation_inputs(page), "change_reason": "一括反映"})

    response = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]), stale_form
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "状況: 一部着手 → 実施" in text
    assert "あなたの変更は保存していません" in text
    measure.refresh_from_db()
    assert (measure.status, measure.notes) == (Status.IMPLEMENTED, "")


@pytest.mark.parametrize("version", ["²", "-1", "99999999999999999999", "abc"])
def test_confirmation_with_a_broken_version_is_refused_without_an_error(
    admin_client, selected, version
):
    page = _choose_action(admin_client, selected)
    posted = {**_confirmation_inputs(page), f"version_{selected[0].pk}": version}
    before = _state(selected)

    response = admin_client.post(CHANGELIST, {**posted, "change_reason": "一括反映"})

    assert response.status_code == 200
    assert "あなたの変更は保存していません" in response.content.decode()
    assert _state(selected) == before


def test_measure_deleted_after_the_confirmation_is_named(admin_client, selected):
    page = _choose_action(admin_client, selected)
    deleted_pk = selected[1].pk
    Measure.objects.filter(pk=deleted_pk).delete()

    response = admin_client.post(
        CHANGELIST, {**_confirmation_inputs(page), "change_reason": "一括反映"}
    )

    assert response.status_code == 200
    assert f"施策（番号 {deleted_pk}）は削除されました" in response.content.decode()
    assert Measure.objects.get(pk=selected[0].pk).status == Status.PARTIAL
