"""`manage.py remind_progress_reports`: one e-mail per division with outstanding reports, to
its current leaders and reporters; the round remembers when reminders went out."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from measures.progress.models import RoundState

from .builders import approve, report_of, submit

pytestmark = pytest.mark.django_db


def _remind(*args) -> str:
    out = io.StringIO()
    call_command("remind_progress_reports", *args, stdout=out)
    return out.getvalue()


def test_reminders_go_to_current_leaders_and_reporters_of_divisions_that_owe(
    make_round, register, people, settings
):
    settings.DASHBOARD_SITE_URL = "https://ict.example.jp"
    progress_round = make_round(RoundState.OPEN)
    # 税務課 answered everything; 市民課 owes two; 担当課のない施策 is 情報企画課's.
    submit(report_of(progress_round, register.other), people.other_leader)
    approve(report_of(progress_round, register.other), people.policy)

    output = _remind()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["leader@example.jp", "reporter@example.jp"]
    assert "former@example.jp" not in message.to
    assert message.subject.startswith("【進捗調査】令和7年度 進捗調査 の報告のお願い（締切")
    assert "・市民課の施策（未提出）" in message.body
    assert "・市民課の二つ目の施策（未提出）" in message.body
    assert "税務課の施策" not in message.body
    assert "https://ict.example.jp" + reverse("measures:progress:mine") in message.body
    assert "送信: （テスト）市民部 市民課（未提出 2 件）→ " in output
    assert "leader <leader@example.jp>" in output and "reporter <reporter@example.jp>" in output
    assert "担当課未設定の施策の未提出報告が 1 件あります" in output
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is not None


def test_dry_run_sends_nothing_and_records_nothing(make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    output = _remind("--dry-run")
    assert mail.outbox == []
    assert "送信予定: （テスト）市民部 市民課（未提出 2 件）" in output
    assert "送信予定: （テスト）市民部 税務課（未提出 1 件）" in output
    assert "--dry-run のため" in output
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is None


def test_divisions_nobody_can_be_mailed_are_named(make_round, register, people):
    make_round(RoundState.OPEN)
    people.other_leader.email = ""
    people.other_leader.save()
    output = _remind()
    assert "宛先なし: （テスト）市民部 税務課（未提出 1 件）" in output
    assert "メールが届かない人: 紫波 三郎" in output
    assert len(mail.outbox) == 1  # 市民課 only


def test_without_an_open_round_nothing_is_sent(make_round):
    make_round(RoundState.PREPARING)
    assert "受付中の進捗調査はありません" in _remind()
    assert mail.outbox == []


def test_the_dashboard_shows_when_reminders_last_went_out(client, make_round, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)
    url = reverse("measures:progress:round", args=[progress_round.pk])
    assert "まだ送っていません" in client.get(url).content.decode()
    _remind()
    progress_round.refresh_from_db()
    page = client.get(url).content.decode()
    assert "まだ送っていません" not in page
    assert timezone.localtime(progress_round.reminded_at).strftime("%Y-%m-%d %H:%M") in page
