"""Two people saving the same report: the second waits for the first, then is refused with a
message naming what changed; nothing of theirs is written."""

import threading

import pytest
from django.core import mail
from django.db import connection

from measures.models import Status
from measures.progress import reminders, services
from measures.progress.models import ProgressReport, ReportState, RoundState
from measures.progress.services import ProgressConflict, ReportContent

from .builders import report_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_writer_waits_for_the_first_and_is_refused(
    make_round, register, people, monkeypatch
):
    """Runs on PostgreSQL with two real connections (SQLite has no row locks to wait on)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this suite on PostgreSQL too")
    report = report_of(make_round(RoundState.OPEN), register.own)
    shown = report.version
    first_saved = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, str] = {}

    # Hold the first writer's transaction open after it has saved, so the second must wait.
    real_save = services._save

    def slow_save(obj, **kwargs):
        real_save(obj, **kwargs)
        if isinstance(obj, ProgressReport) and threading.current_thread().name == "first":
            first_saved.set()
            release_first.wait(timeout=30)

    monkeypatch.setattr(services, "_save", slow_save)

    def first_writer():
        try:
            services.progress_report_submit(
                report_pk=report.pk,
                expected_version=shown,
                content=ReportContent(status=Status.IMPLEMENTED, activities="リーダーの報告"),
                user=people.leader,
            )
            outcome["first"] = "saved"
        finally:
            connection.close()

    def second_writer():
        try:
            first_saved.wait(timeout=30)
            services.progress_report_save_draft(
                report_pk=report.pk,
                expected_version=shown,
                content=ReportContent(activities="入力者の下書き"),
                user=people.reporter,
            )
            outcome["second"] = "saved"
        except ProgressConflict as conflict:
            outcome["second"] = str(conflict)
        finally:
            connection.close()

    first = threading.Thread(target=first_writer, name="first")
    second = threading.Thread(target=second_writer, name="second")
    first.start()
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second writer should wait for the first one's row lock"
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcome["first"] == "saved"
    message = outcome["second"]
    assert "施策「市民課の施策」の進捗報告は、あなたが開いた後に leader さんが" in message
    assert "提出状況: 未提出 → 提出" in message and "状況（報告）: 未選択 → 実施" in message
    assert "取組内容" in message and "あなたの変更は保存していません" in message
    report.refresh_from_db()
    assert (report.state, report.activities, report.version) == (
        ReportState.SUBMITTED,
        "リーダーの報告",
        shown + 1,
    )


def test_two_reminder_clicks_at_the_same_moment_mail_the_divisions_once(
    make_round, register, people, monkeypatch
):
    """Both senders saw the same page; the second waits for the first one's row lock, then
    finds the reminders sent and sends nothing (PostgreSQL, two real connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this suite on PostgreSQL too")
    progress_round = make_round(RoundState.OPEN)
    shown = reminders.reminded_stamp(progress_round)
    first_sending = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, str] = {}
    real_connection = reminders.get_connection

    class SlowFirstConnection:
        def send_messages(self, messages):
            if threading.current_thread().name == "first":
                first_sending.set()
                release_first.wait(timeout=30)
            return real_connection().send_messages(messages)

    monkeypatch.setattr(reminders, "get_connection", SlowFirstConnection)

    def sender(name: str):
        try:
            if name == "second":
                first_sending.wait(timeout=30)
            reminders.send_progress_reminders(progress_round=progress_round, last_reminded=shown)
            outcome[name] = "sent"
        except reminders.RemindedMeanwhile:
            outcome[name] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=sender, args=("first",), name="first")
    second = threading.Thread(target=sender, args=("second",), name="second")
    first.start()
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second sender should wait for the first one's row lock"
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcome == {"first": "sent", "second": "refused"}
    assert len(mail.outbox) == 2  # one message per division that owes reports, once
