"""One 進捗調査 round in a real browser: a leader submits, 情報企画課 returns it with a comment,
the leader resubmits, 情報企画課 approves, closes and confirms; the measure's mark and its
timeline show the change. axe-core finds no serious or critical violation on the new pages."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Department, Division, PromotionLeader
from governance.roles import LEADER, POLICY_DIVISION
from measures.models import Measure, Status
from measures.progress import services
from measures.progress.models import ProgressReport, ReportState, RoundState

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _serious(page) -> list:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def cycle(seeded, django_user_model):
    """The plan, a division leading 「IT講習の推進」, its leader, 情報企画課, an open round."""
    department = Department.objects.create(name="（テスト）市民部")
    division = Division.objects.create(department=department, name="市民課")
    measure = Measure.objects.get(name="IT講習の推進")
    measure.responsible_division = division
    measure.save()
    leader = django_user_model.objects.create_user("leader", password="unused")
    Group.objects.get(name=LEADER).user_set.add(leader)
    PromotionLeader.objects.create(
        division=division,
        person_name="盛岡 花子",
        appointed_by="市民課長",
        start_date=timezone.localdate() - datetime.timedelta(days=100),
        user=leader,
    )
    policy = django_user_model.objects.create_user("kikaku", password="unused", is_staff=True)
    Group.objects.get(name=POLICY_DIVISION).user_set.add(policy)
    today = timezone.localdate()
    progress_round = services.progress_round_create(
        title="令和7年度 進捗調査",
        reference_date=today,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        user=policy,
    )
    services.progress_round_open(
        round_pk=progress_round.pk, expected_version=progress_round.version, user=policy
    )
    return measure, leader, policy, progress_round


def _context(chromium, live_server, user):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(locale="ja-JP")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def test_a_round_from_report_to_confirmation(chromium, live_server, cycle, tmp_path):
    measure, leader, policy, progress_round = cycle
    assert measure.status == Status.PARTIAL
    problems = {}

    def scan(page, name):
        if found := _serious(page):
            problems[name] = found

    leader_context, as_leader, leader_errors = _context(chromium, live_server, leader)
    policy_context, as_policy, policy_errors = _context(chromium, live_server, policy)

    # Home: the trend holds the plan itself only (the open round is not final).
    as_leader.goto(live_server.url + "/")
    trend = as_leader.locator("table.trend-table tbody")
    assert trend.locator("tr").count() == 1
    assert "計画書掲載時点" in trend.inner_text()

    # The leader finds the report under 「私の報告」 and submits it.
    as_leader.get_by_role("link", name="私の報告").first.click()
    as_leader.wait_for_url("**/progress/")
    assert "令和7年度 進捗調査" in as_leader.locator("h2").first.inner_text()
    scan(as_leader, "私の報告")
    as_leader.get_by_role("link", name="IT講習の推進").click()
    as_leader.wait_for_url("**/progress/reports/*/")
    scan(as_leader, "報告の入力")
    as_leader.get_by_label("◎ 実施").check()
    as_leader.get_by_label("進捗率（%）").fill("101")
    as_leader.get_by_label("取組内容").fill("市民向け講習を年 12 回開いた。")
    as_leader.get_by_role("button", name="提出").click()
    assert "進捗率は 0～100 の整数で入力してください。" in as_leader.locator("main").inner_text()
    scan(as_leader, "報告の入力（誤り）")
    as_leader.get_by_label("進捗率（%）").fill("90")
    as_leader.get_by_role("button", name="提出").click()
    as_leader.wait_for_url("**/progress/")
    assert "「IT講習の推進」の報告を提出しました" in as_leader.locator("[role=status]").inner_text()

    # 情報企画課 returns it with a comment from the round dashboard.
    as_policy.goto(live_server.url + reverse("measures:progress:rounds"))
    scan(as_policy, "進捗調査の一覧")
    as_policy.get_by_role("link", name="令和7年度 進捗調査").first.click()
    as_policy.wait_for_url("**/progress/rounds/*/")
    scan(as_policy, "進捗調査のダッシュボード")
    as_policy.locator("#reports-heading").scroll_into_view_if_needed()
    as_policy.get_by_role("row", name="IT講習の推進").get_by_role(
        "link", name="IT講習の推進", exact=True
    ).click()
    as_policy.wait_for_url("**/progress/reports/*/")
    scan(as_policy, "報告の確認")
    as_policy.get_by_label("差戻しの理由（報告者へのコメント）").fill(
        "課題と今後の予定も書いてください。"
    )
    as_policy.get_by_role("button", name="差し戻す").click()
    as_policy.wait_for_url("**/progress/rounds/*/#report-*")

    # The leader sees the comment and resubmits.
    as_leader.reload()
    assert "課題と今後の予定も書いてください。" in as_leader.locator("main").inner_text()
    as_leader.get_by_role("link", name="IT講習の推進").click()
    assert "情報企画課からのコメント（差戻しの理由）" in as_leader.locator("main").inner_text()
    as_leader.get_by_label("課題").fill("受講者の年齢層が偏っている。")
    as_leader.get_by_label("今後の予定").fill("若い世代向けの講習を加える。")
    as_leader.get_by_role("button", name="提出").click()
    as_leader.wait_for_url("**/progress/")

    # 情報企画課 approves, closes and confirms, each through its confirmation step.
    as_policy.reload()
    as_policy.get_by_role("row", name="IT講習の推進").get_by_role("button", name="承認").click()
    as_policy.wait_for_load_state()
    assert (
        "「IT講習の推進」の報告を承認しました。" in as_policy.locator("[role=status]").inner_text()
    )
    as_policy.get_by_role("link", name="督促メールを送る…").click()
    scan(as_policy, "督促の確認")
    assert "この調査ではまだ督促していません。" in as_policy.locator("main").inner_text()
    as_policy.screenshot(path=str(tmp_path / "remind.png"), full_page=True)
    as_policy.get_by_role("link", name="やめる").click()
    as_policy.wait_for_url("**/progress/rounds/*/")
    as_policy.get_by_role("link", name="締め切る…").click()
    scan(as_policy, "締切の確認")
    as_policy.get_by_role("button", name="締め切る").click()
    as_policy.wait_for_url("**/progress/rounds/*/")
    as_policy.get_by_role("link", name="確定する…").click()
    assert "確定すると状況が変わる施策: 1 件" in as_policy.locator("main").inner_text()
    scan(as_policy, "確定の確認")
    as_policy.get_by_role("button", name="確定する").click()
    as_policy.wait_for_url("**/progress/rounds/*/")
    assert "状況が変わった施策: 1 件" in as_policy.locator("[role=status]").inner_text()

    # The measure page shows the new mark and the timeline.
    as_leader.goto(live_server.url + measure.get_absolute_url())
    facts = as_leader.locator("dl.facts").first.inner_text()
    assert "◎" in facts and "実施" in facts
    timeline = as_leader.locator("section.measure-progress").inner_text()
    assert timeline.index("令和7年度 進捗調査") < timeline.index("計画書掲載時点")
    assert "90%" in timeline and "若い世代向けの講習を加える。" in timeline
    assert as_leader.locator("section.measure-progress svg.percent-bar").count() == 1
    scan(as_leader, "施策（進捗の記録）")

    # Home: the trend has a second point, the plan's totals after the round (○ → ◎).
    as_leader.goto(live_server.url + "/")
    rows = as_leader.locator("table.trend-table tbody tr")
    assert rows.count() == 2
    cells = rows.nth(1).locator("td").all_inner_texts()
    assert rows.nth(1).locator("th").inner_text().startswith("令和7年度 進捗調査")
    assert cells[-4:] == ["40", "28", "7", "75"]
    assert rows.nth(0).locator("td").all_inner_texts()[-4:] == ["39", "29", "7", "75"]
    assert as_leader.locator("section.trend svg[role=img]").count() == 4
    scan(as_leader, "ホーム（推移）")
    # The round's comparison, from the trend table.
    rows.nth(1).get_by_role("link", name="令和7年度 進捗調査").click()
    as_leader.wait_for_url("**/progress/rounds/*/compare/")
    assert "改善 1" in as_leader.locator("main").inner_text()
    scan(as_leader, "前回との比較")

    # The same pages on a phone.
    for page in (as_leader, as_policy):
        page.set_viewport_size({"width": 390, "height": 844})
    scan(as_leader, "施策（スマートフォン）")
    as_leader.goto(live_server.url + reverse("measures:progress:mine"))
    scan(as_leader, "私の報告（スマートフォン）")
    as_policy.reload()
    scan(as_policy, "進捗調査のダッシュボード（スマートフォン）")

    leader_context.close()
    policy_context.close()
    assert not leader_errors and not policy_errors
    assert not problems
    measure.refresh_from_db()
    assert measure.status == Status.IMPLEMENTED
    report = ProgressReport.objects.get(round=progress_round, measure=measure)
    assert report.state == ReportState.APPROVED
    progress_round.refresh_from_db()
    assert progress_round.state == RoundState.CONFIRMED
