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


# --- the round page's button: 情報企画課 reminds without a command line -----------------------


def _remind_url(progress_round) -> str:
    return reverse("measures:progress:round_remind", args=[progress_round.pk])


def test_the_round_page_offers_reminders_while_open(client, make_round, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)
    page = client.get(reverse("measures:progress:round", args=[progress_round.pk]))
    assert _remind_url(progress_round) in page.content.decode()
    assert "manage.py remind_progress_reports" not in page.content.decode()


def test_the_reminder_page_shows_whom_it_would_reach_and_sends_nothing(
    client, make_round, register, people
):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)

    page = client.get(_remind_url(progress_round)).content.decode()

    assert "（テスト）市民部 市民課" in page and "（テスト）市民部 税務課" in page
    assert "leader &lt;leader@example.jp&gt;" in page
    assert "担当課未設定の施策の未提出報告が 1 件あります" in page
    assert "督促メールを送る</button>" in page
    assert mail.outbox == []
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is None


def test_sending_from_the_page_mails_and_records_the_time(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)

    response = client.post(_remind_url(progress_round), {"last_reminded": ""}, follow=True)

    assert len(mail.outbox) == 2  # 市民課 and 税務課
    assert "督促メールを 2 課等に送りました（宛先のない課等: 0）" in response.content.decode()
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is not None


def test_a_round_not_open_is_not_reminded(client, make_round, people):
    progress_round = make_round(RoundState.CLOSED)
    client.force_login(people.policy)
    assert (
        "督促できるのは受付中の調査だけです"
        in client.get(_remind_url(progress_round)).content.decode()
    )
    response = client.post(_remind_url(progress_round), {"last_reminded": ""}, follow=True)
    assert "督促できるのは受付中の調査だけです" in response.content.decode()
    assert mail.outbox == []
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is None


@pytest.mark.parametrize("who", ["leader", "reader", "reporter"])
def test_only_the_policy_division_may_remind(client, make_round, people, who):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(getattr(people, who))
    assert client.get(_remind_url(progress_round)).status_code == 403
    assert client.post(_remind_url(progress_round)).status_code == 403
    assert mail.outbox == []
    progress_round.refresh_from_db()
    assert progress_round.reminded_at is None


def test_reminding_needs_a_login(client, make_round):
    progress_round = make_round(RoundState.OPEN)
    response = client.post(_remind_url(progress_round))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert mail.outbox == []


def test_a_second_click_does_not_mail_the_divisions_twice(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)
    page = client.get(_remind_url(progress_round))
    shown = page.context["last_reminded"]

    client.post(_remind_url(progress_round), {"last_reminded": shown})
    again = client.post(_remind_url(progress_round), {"last_reminded": shown}, follow=True)

    assert len(mail.outbox) == 2  # the first click only
    assert "この画面を開いた後に送られています" in again.content.decode()
    progress_round.refresh_from_db()
    fresh = client.get(_remind_url(progress_round)).context["last_reminded"]
    assert fresh == progress_round.reminded_at.isoformat()
    client.post(_remind_url(progress_round), {"last_reminded": fresh})
    assert len(mail.outbox) == 4  # sent again on purpose, from a page opened afterwards
