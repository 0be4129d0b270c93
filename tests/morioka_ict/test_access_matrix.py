"""Every URL pattern × every role, as a hostile user: the answer the README promises, and
nothing changed by a refusal or by any GET.

``all_cases()`` lists, for every pattern of the URLconf (admin included), the GET and the POST
a role sends and what it gets back. A pattern missing from the table fails
``test_every_url_pattern_is_classified``: a new page must be classified here before it ships.

Roles (``ROLES``): ``anonymous`` (DASHBOARD_PUBLIC_READ off), ``public`` (anonymous, public
mode on), ``reader`` (閲覧), ``leader`` (情報化推進リーダー of 市民課, acting on 税務課's records),
``policy`` (情報企画課), ``superuser``. Objects in the URLs belong to 税務課 (division B) unless
a case says otherwise, so the leader's cells are what a leader gets for another division.

Outcomes: ``ok`` 200, ``login`` redirect to the login page, ``admin`` redirect to admin's
login, ``go`` another redirect, ``401``/``403``/``404``/``405`` that status. A trailing ``*``
marks the cells that must write (the POST carries a valid form, so refusals are tested with
a request that would work for someone allowed); every other cell must leave every row as it
was. Each request runs in a savepoint that is rolled back, so cells do not depend on each
other.

Anonymous answers (``anonymous`` and ``public``) are also read for names: no staff name, user
name or change reason may appear in a page, a file or an API answer.
"""

import io
import itertools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from governance.audit import AccessKind
from governance.models import (
    AccessRecord,
    ApiToken,
    Department,
    Division,
    GovernanceBody,
    ProjectTeam,
    ProjectTeamMember,
    PromotionLeader,
)
from governance.roles import LEADER, POLICY_DIVISION, READER
from governance.services import register_governance_seed
from governance.tokens import api_token_create
from measures.models import Measure, Relisting, Status
from measures.progress import services
from measures.progress.models import ProgressReport, ProgressRound
from measures.progress.services import ReportContent
from measures.services import measure_set_status
from tests.conftest import load_seed_once

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "public", "reader", "leader", "policy", "superuser")
SECRET = "秘密"  # in every person's and account's name, and in change reasons
SECRET_ACCOUNT = "himitsu"  # in every user name

# --- the world: two divisions, named people, rounds in every state -------------------------


@dataclass
class World:
    own: Division  # 市民課: the leader's
    other: Division  # 税務課: division B
    own_measure: Measure
    other_measure: Measure
    unassigned: Measure
    relisting: Relisting
    confirmed: ProgressRound  # 確定
    closed: ProgressRound  # 締切, nothing waiting
    current: ProgressRound  # 受付中
    preparing: ProgressRound  # 準備中
    own_report: ProgressReport  # 市民課, draft, current round
    other_report: ProgressReport  # 税務課, submitted, current round
    other_confirmed: ProgressReport  # 税務課, approved, confirmed round
    team: ProjectTeam
    users: dict
    other_token_id: int
    objects: dict = field(default_factory=dict)  # admin: model label → an object

    def history_id(self, obj) -> int:
        return obj.history.order_by("-history_id").values_list("history_id", flat=True)[0]


def _user(username, *, role=None, **fields):
    user = User.objects.create_user(
        f"{SECRET_ACCOUNT}-{username}",
        email=f"{username}@example.jp",
        password="unused",
        first_name=f"{SECRET}{username}",
        last_name="職員",
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def _answer(text: str) -> ReportContent:
    return ReportContent(status=Status.IMPLEMENTED, progress_percent=50, activities=text)


def _advance(progress_round, *steps, user):
    for step in steps:
        progress_round.refresh_from_db()
        step(round_pk=progress_round.pk, expected_version=progress_round.version, user=user)
    progress_round.refresh_from_db()
    return progress_round


def _report(progress_round, measure) -> ProgressReport:
    return ProgressReport.objects.get(round=progress_round, measure=measure)


def _write(report, user, *, submit=True):
    report.refresh_from_db()
    write = services.progress_report_submit if submit else services.progress_report_save_draft
    write(
        report_pk=report.pk,
        expected_version=report.version,
        content=_answer(f"{report.measure.name}の取組"),
        user=user,
    )


def _approve(report, user):
    report.refresh_from_db()
    services.progress_report_approve(
        report_pk=report.pk, expected_version=report.version, user=user
    )


@pytest.fixture
def world(make_measure, make_category, make_relisting) -> World:
    load_seed_once(
        "governance",
        register_governance_seed,
        lambda: not (GovernanceBody.objects.exists() or Department.objects.exists()),
    )
    department = Department.objects.create(name="（テスト）市民部")
    own = Division.objects.create(
        department=department, name="市民課", head_title="課長", head_name=f"{SECRET} 市民課長"
    )
    other = Division.objects.create(
        department=department, name="税務課", head_title="課長", head_name=f"{SECRET} 税務課長"
    )
    first, second = make_category("e-one", order=1), make_category("e-two", order=2)
    own_measure = make_measure("市民課の施策", category=first, status=Status.PARTIAL)
    other_measure = make_measure("税務課の施策", category=second, status=Status.PARTIAL)
    unassigned = make_measure("担当課のない施策", category=second, status=Status.NOT_STARTED)
    own_measure.responsible_division = own
    own_measure.save()
    other_measure.responsible_division = other
    other_measure.save()
    other_measure.cooperating_divisions.add(own)
    relisting = make_relisting(own_measure, second, position=10)

    users = {
        "reader": _user("reader", role=READER, is_staff=True),
        "leader": _user("leader", role=LEADER, is_staff=True),
        "other_leader": _user("other-leader", role=LEADER, is_staff=True),
        "policy": _user("kikaku", role=POLICY_DIVISION, is_staff=True),
        "superuser": _user("root", is_staff=True, is_superuser=True),
    }
    for key, division in (("leader", own), ("other_leader", other)):
        PromotionLeader.objects.create(
            division=division,
            person_name=f"{SECRET} {key}",
            appointed_by=f"{division.name}長 {SECRET} 任命者",
            start_date=timezone.localdate() - timezone.timedelta(days=30),
            user=users[key],
        )
    team = ProjectTeam.objects.create(
        name="窓口改革チーム", purpose="横断的な検討", formed_on=timezone.localdate()
    )
    team.divisions.add(own, other)
    team.measures.add(other_measure)
    ProjectTeamMember.objects.create(team=team, person_name=f"{SECRET} チーム員", division=other)
    measure_set_status(
        measures=Measure.objects.filter(pk=other_measure.pk),
        status=Status.NOT_STARTED,
        user=users["policy"],
        reason=f"取込 {SECRET}_file.xlsx",
    )

    policy = users["policy"]
    rounds = {}
    for title, year in (("確定", 2023), ("締切", 2024), ("受付中", 2025), ("準備中", 2026)):
        rounds[title] = services.progress_round_create(
            title=f"{title}の調査",
            reference_date=timezone.datetime(year, 3, 31).date(),
            opens_on=timezone.localdate() - timezone.timedelta(days=10),
            closes_on=timezone.localdate() + timezone.timedelta(days=10),
            user=policy,
        )
    confirmed = rounds["確定"]
    _advance(confirmed, services.progress_round_open, user=policy)
    _write(_report(confirmed, other_measure), users["other_leader"])
    _approve(_report(confirmed, other_measure), policy)
    _advance(confirmed, services.progress_round_close, services.progress_round_confirm, user=policy)
    closed = _advance(
        rounds["締切"], services.progress_round_open, services.progress_round_close, user=policy
    )
    current = _advance(rounds["受付中"], services.progress_round_open, user=policy)
    _write(_report(current, own_measure), users["leader"], submit=False)
    _write(_report(current, other_measure), users["other_leader"])

    other_token, _raw = api_token_create(user=users["other_leader"], label="他課のトークン")
    AccessAttempt.objects.create(
        ip_address="10.0.0.9", username="x", failures_since_start=1, user_agent="t"
    )
    AccessLog.objects.create(ip_address="10.0.0.9", username="x", user_agent="t")
    AccessFailureLog.objects.create(ip_address="10.0.0.9", username="x", user_agent="t")
    AccessRecord.objects.create(kind=AccessKind.LOGIN, username="x", address="10.0.0.9")

    world = World(
        own=own,
        other=other,
        own_measure=own_measure,
        other_measure=other_measure,
        unassigned=unassigned,
        relisting=relisting,
        confirmed=confirmed,
        closed=closed,
        current=current,
        preparing=rounds["準備中"],
        own_report=_report(current, own_measure),
        other_report=_report(current, other_measure),
        other_confirmed=_report(confirmed, other_measure),
        team=team,
        users=users,
        other_token_id=other_token.pk,
    )
    world.objects = {
        "measures.measure": other_measure,
        "measures.relisting": relisting,
        "measures.progressreport": world.other_report,
        "measures.progressround": current,
        "governance.division": other,
        "governance.promotionleader": PromotionLeader.objects.get(user=users["other_leader"]),
        "governance.projectteam": team,
        "auth.user": users["other_leader"],
        "auth.group": Group.objects.get(name=LEADER),
    }
    return world


# --- what a refusal must leave alone ---------------------------------------------------------

# Rows that requests write on purpose whatever the answer: the access record (refusals are
# recorded); and columns that record use rather than change.
_COMPARED_APPS = {"measures", "governance", "auth"}
_NOT_COMPARED_MODELS = {"governance.accessrecord"}
_NOT_COMPARED_FIELDS = {"last_login", "last_used_at"}
# Tables compared row by row; every other domain table by its size and highest key, since
# each write to them adds a history row (history tables are domain tables too).
_ROW_BY_ROW = (User, Group, ApiToken, Measure, ProgressRound, ProgressReport)


def _compared_tables() -> list[tuple[str, str]]:
    """Return (table, primary key column) of every compared table."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in _COMPARED_APPS and meta.label_lower not in _NOT_COMPARED_MODELS:
            tables.add((meta.db_table, meta.pk.column))
    return sorted(tables)


def snapshot() -> dict:
    """The domain, the accounts and their groups, in a handful of queries."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{table}', COUNT(*), MAX({quote(key)}) FROM {quote(table)}"
                for table, key in _compared_tables()
            )
        )
        state = {"sizes": sorted(cursor.fetchall())}
    for model in _ROW_BY_ROW:
        names = [
            f.attname for f in model._meta.concrete_fields if f.name not in _NOT_COMPARED_FIELDS
        ]
        state[model._meta.label] = list(model.objects.order_by("pk").values_list(*names))
    return state


def _changed(before: dict, after: dict) -> list[str]:
    if before["sizes"] != after["sizes"]:
        grown = set(after["sizes"]) - set(before["sizes"])
        return [table for table, _count, _max in grown]
    return [name for name in before if before[name] != after[name]]


# --- the table -------------------------------------------------------------------------------

Url = Callable[[World], str]
Data = Callable[[World], dict]


@dataclass(frozen=True)
class Case:
    route: str  # the pattern's name, or its regex when unnamed
    url: Url
    get: str  # outcomes in the order of ROLES
    post: str
    data: Data | None = None  # the POST body; empty when None
    note: str = ""  # which variant of the route this case is

    def outcomes(self, method: str) -> dict[str, str]:
        row = self.get if method == "GET" else self.post
        return dict(zip(ROLES, row.split(), strict=True))

    @property
    def label(self) -> str:
        return f"{self.route}{f' ({self.note})' if self.note else ''}"


def _r(name: str, *args) -> Url:
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def _version(obj) -> int:
    obj.refresh_from_db()
    return obj.version


def _report_form(report_attr: str, action: str = "draft") -> Data:
    def data(w):
        return {
            "version": _version(getattr(w, report_attr)),
            "action": action,
            "status": Status.IMPLEMENTED,
            "progress_percent": "80",
            "activities": "書き換えた取組",
        }

    return data


def _round_version(round_attr: str) -> Data:
    return lambda w: {"version": _version(getattr(w, round_attr))}


# Each Case: route, URL, then GET and POST outcomes for
#               anonymous  public  reader  leader  policy  superuser
_SITE = [
    Case("login", _r("login"), "ok ok ok ok ok ok", "ok ok ok ok ok ok"),
    Case(
        "logout", _r("logout"), "login 405 405 405 405 405", "login login login login login login"
    ),
    Case(
        "password_change",
        _r("password_change"),
        "login login ok ok ok ok",
        "login login ok ok ok ok",
    ),
    Case(
        "password_change_done",
        _r("password_change_done"),
        "login login ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "set_language",
        _r("set_language"),
        "go go go go go go",
        "go go go go go go",
        data=lambda w: {"language": "en", "next": "/"},
    ),
    Case("api_docs", _r("api_docs"), "go go go go go go", "405 405 405 405 405 405"),
    Case(
        "^api/", lambda w: "/api/nothing-here", "404 404 404 404 404 404", "404 404 404 404 404 404"
    ),
    Case(
        "api_tokens",
        _r("api_tokens"),
        "login login ok ok ok ok",
        "login login ok* ok* ok* ok*",
        data=lambda w: {"label": "集計表示"},
    ),
    Case(
        "api_tokens",
        _r("api_tokens"),
        "login login ok ok ok ok",
        "login login go go go go",
        data=lambda w: {"revoke": w.other_token_id},
        note="revoke another user's token",
    ),
]

_API = [
    Case(
        f"api-v1:{name}", lambda w, path=path: f"/api/v1/{path(w)}", get, "405 405 405 405 405 405"
    )
    for name, path, get in [
        ("plan", lambda w: "plan", "401 ok ok ok ok ok"),
        ("periods", lambda w: "periods", "401 ok ok ok ok ok"),
        ("categories", lambda w: "categories", "401 ok ok ok ok ok"),
        ("measure_list", lambda w: "measures", "401 ok ok ok ok ok"),
        ("measure_detail", lambda w: f"measures/{w.other_measure.pk}", "401 ok ok ok ok ok"),
        ("totals", lambda w: "totals", "401 ok ok ok ok ok"),
        ("round_list", lambda w: "progress/rounds", "401 ok ok ok ok ok"),
        (
            "round_results",
            lambda w: f"progress/rounds/{w.current.pk}/results",
            "401 404 404 404 ok ok",
        ),
        ("structure", lambda w: "governance/structure", "401 ok ok ok ok ok"),
    ]
] + [
    # Ninja's root answers 404 to any method (it only anchors the paths).
    Case(
        "api-v1:api-root",
        lambda w: "/api/v1/",
        "404 404 404 404 404 404",
        "404 404 404 404 404 404",
    ),
    # Ninja serves its document to any method; it holds no data.
    Case(
        "api-v1:openapi-json",
        lambda w: "/api/v1/openapi.json",
        "ok ok ok ok ok ok",
        "ok ok ok ok ok ok",
    ),
    Case(
        "api-v1:round_results",
        lambda w: f"/api/v1/progress/rounds/{w.confirmed.pk}/results",
        "401 ok ok ok ok ok",
        "405 405 405 405 405 405",
        note="confirmed round",
    ),
]

_PAGES = [
    Case(
        "measures:home", _r("measures:home"), "login ok ok ok ok ok", "login login 405 405 405 405"
    ),
    Case(
        "measures:category",
        _r("measures:category", "e-two"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:browser",
        _r("measures:browser"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:export_csv",
        _r("measures:export_csv"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:export_xlsx",
        _r("measures:export_xlsx"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:periods",
        _r("measures:periods"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:detail",
        _r("measures:detail", lambda w: w.other_measure.pk),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:excel:summary",
        _r("measures:excel:summary"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:excel:opendata",
        _r("measures:excel:opendata"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "measures:excel:opendata_bom",
        _r("measures:excel:opendata_bom"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "governance:structure",
        _r("governance:structure"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "governance:division_list",
        _r("governance:division_list"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "governance:division",
        _r("governance:division", lambda w: w.other.pk),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "governance:team_list",
        _r("governance:team_list"),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
    Case(
        "governance:team_detail",
        _r("governance:team_detail", lambda w: w.team.pk),
        "login ok ok ok ok ok",
        "login login 405 405 405 405",
    ),
]


def _p(name: str, *args) -> Url:
    return _r(f"measures:progress:{name}", *args)


def _pk(attr: str):
    return lambda w: getattr(w, attr).pk


MANAGER_ONLY = "login login 403 403 ok ok"
MANAGER_READS = "login login 403 403 405 405"  # a download for 情報企画課: POST is not a way in
MANAGER_WRITES = "login login 403 403 go* go*"

_PROGRESS = [
    Case(
        "measures:progress:mine", _p("mine"), "login login ok ok ok ok", "login login ok ok ok ok"
    ),
    Case(
        "measures:progress:report",
        _p("report", _pk("other_report")),
        "login login 403 403 ok ok",
        "login login 403 403 403 403",
        data=_report_form("other_report"),
        note="税務課's submitted report",
    ),
    Case(
        "measures:progress:report",
        _p("report", _pk("own_report")),
        "login login 403 ok ok ok",
        "login login 403 go* 403 403",
        data=_report_form("own_report", "submit"),
        note="市民課's draft: the leader's own",
    ),
    Case(
        "measures:progress:report",
        _p("report", _pk("other_confirmed")),
        "login login ok ok ok ok",
        "login login 403 403 403 403",
        data=_report_form("other_confirmed"),
        note="税務課's approved, confirmed report",
    ),
    Case(
        "measures:progress:report_approve",
        _p("report_approve", _pk("other_report")),
        "login 405 405 405 405 405",
        MANAGER_WRITES,
        data=lambda w: {"version": _version(w.other_report)},
    ),
    Case(
        "measures:progress:report_return",
        _p("report_return", _pk("other_report")),
        "login 405 405 405 405 405",
        MANAGER_WRITES,
        data=lambda w: {"version": _version(w.other_report), "comment": "直してください"},
    ),
    Case(
        "measures:progress:report_correct",
        _p("report_correct", _pk("other_confirmed")),
        MANAGER_ONLY,
        MANAGER_WRITES,
        data=lambda w: {**_report_form("other_confirmed")(w), "reason": "誤記の訂正"},
    ),
    Case("measures:progress:rounds", _p("rounds"), MANAGER_ONLY, MANAGER_ONLY),
    Case(
        "measures:progress:round_create",
        _p("round_create"),
        MANAGER_ONLY,
        MANAGER_WRITES,
        data=lambda w: {
            "title": "新しい調査",
            "reference_date": "2028-03-31",
            "opens_on": "2028-04-01",
            "closes_on": "2028-04-30",
        },
    ),
    Case("measures:progress:round", _p("round", _pk("current")), MANAGER_ONLY, MANAGER_ONLY),
    Case(
        "measures:progress:round_edit",
        _p("round_edit", _pk("current")),
        MANAGER_ONLY,
        MANAGER_WRITES,
        data=lambda w: {
            "version": _version(w.current),
            "title": "改名した調査",
            "reference_date": "2026-03-31",
            "opens_on": w.current.opens_on.isoformat(),
            "closes_on": w.current.closes_on.isoformat(),
        },
    ),
    Case(
        "measures:progress:round_scope",
        _p("round_scope", _pk("preparing")),
        MANAGER_ONLY,
        MANAGER_WRITES,
        data=lambda w: {"version": _version(w.preparing), "measures": [w.own_measure.pk]},
    ),
    Case(
        "measures:progress:round_open",
        _p("round_open", _pk("preparing")),
        MANAGER_ONLY,
        MANAGER_ONLY,
        data=_round_version("preparing"),
        note="refused while another round is open",
    ),
    Case(
        "measures:progress:round_close",
        _p("round_close", _pk("current")),
        MANAGER_ONLY,
        MANAGER_WRITES,
        data=_round_version("current"),
    ),
    Case(
        "measures:progress:round_confirm",
        _p("round_confirm", _pk("closed")),
        MANAGER_ONLY,
        MANAGER_WRITES,
        data=_round_version("closed"),
    ),
    Case(
        "measures:progress:round_remind",
        _p("round_remind", _pk("current")),
        MANAGER_ONLY,
        MANAGER_WRITES,
    ),
    Case(
        "measures:progress:round_approve_unchanged",
        _p("round_approve_unchanged", _pk("current")),
        "login 405 405 405 405 405",
        MANAGER_WRITES,
        data=_round_version("current"),
    ),
    Case(
        "measures:progress:round_outstanding_csv",
        _p("round_outstanding_csv", _pk("current")),
        MANAGER_ONLY,
        MANAGER_READS,
    ),
    Case(
        "measures:progress:survey_zip",
        _p("survey_zip", _pk("current")),
        MANAGER_ONLY,
        MANAGER_READS,
    ),
    Case(
        "measures:progress:survey_download",
        _p("survey_download", _pk("current"), lambda w: w.other.pk),
        MANAGER_ONLY,
        MANAGER_READS,
    ),
    Case(
        "measures:progress:survey_import",
        _p("survey_import", _pk("current")),
        MANAGER_ONLY,
        MANAGER_ONLY,
    ),
    Case(
        "measures:progress:survey_preview",
        _p("survey_preview", _pk("current")),
        "login login 403 403 go go",
        "login login 403 403 go go",
    ),
] + [
    case
    for name in (
        "round_compare",
        "round_compare_csv",
        "round_results",
        "round_opendata",
        "round_opendata_bom",
    )
    for case in (
        Case(
            f"measures:progress:{name}",
            _p(name, _pk("current")),
            MANAGER_ONLY,
            "login login 405 405 405 405",
            note="open round",
        ),
        Case(
            f"measures:progress:{name}",
            _p(name, _pk("confirmed")),
            "login ok ok ok ok ok",
            "login login 405 405 405 405",
            note="confirmed round",
        ),
    )
]

# Admin: every registered model gets one case per kind of page, from the model's access profile
# per role (reader, leader, policy, superuser); anonymous visitors always get admin's login.
#   N  no access (403);  V  view only;  F  full;
#   S  view within a row filter, the row in the URL outside it (a 税務課 report in progress).
_PROFILES = {
    # kind: {profile: (GET, POST)}
    "changelist": {"N": ("403", "403"), "V": ("ok", "ok"), "F": ("ok", "ok"), "S": ("ok", "ok")},
    "add": {"N": ("403", "403"), "V": ("403", "403"), "F": ("ok", "ok"), "S": ("403", "403")},
    "change": {"N": ("403", "403"), "V": ("ok", "403"), "F": ("ok", "ok"), "S": ("go", "403")},
    "delete": {"N": ("403", "403"), "V": ("403", "403"), "F": ("ok", "go*"), "S": ("403", "403")},
    "history": {"N": ("403", "403"), "V": ("ok", "ok"), "F": ("ok", "ok"), "S": ("403", "403")},
    "simple_history": {
        "N": ("403", "403"),
        "V": ("ok", "403"),
        "F": ("ok", "ok"),
        "S": ("403", "403"),
    },
    "object": dict.fromkeys("NVFS", ("go", "go")),
}
ADMIN_KINDS = tuple(_PROFILES)
ADMIN_TABLE = {
    # model: profiles of reader leader policy superuser
    "auth.group": "N N N F",
    "auth.user": "N N V F",
    "axes.accessattempt": "N N N F",
    "axes.accesslog": "N N N F",
    "axes.accessfailurelog": "N N N F",
    "measures.measure": "V V F F",
    "measures.relisting": "V V F F",
    "measures.category": "V V F F",
    "measures.planperiod": "V V F F",
    "measures.plan": "V V F F",
    "measures.progressround": "N N V V",
    "measures.progressreport": "S S V V",
    "governance.department": "V V F F",
    "governance.division": "V V F F",
    "governance.governancebody": "V V F F",
    "governance.bodyrelation": "V V F F",
    "governance.bodyrole": "V V F F",
    "governance.leaderduty": "V V F F",
    "governance.promotionleader": "V V F F",
    "governance.projectteam": "V V F F",
    "governance.accessrecord": "N N V V",
    # Every user's tokens: for those who manage accounts only (and the action to revoke).
    "governance.apitoken": "N N N V",
}
# Cells where a model's page differs from its profile: (model, kind) → (GET, POST) of all roles.
ADMIN_EXCEPTIONS: dict[tuple[str, str], tuple[str, str]] = {
    # django-axes' admin is read-only, even for a superuser; its rows are not compared.
    **{
        (f"axes.{model}", kind): cells
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for kind, cells in {
            "add": ("login login 403 403 403 403", "login login 403 403 403 403"),
            "change": ("login login 403 403 403 ok", "login login 403 403 403 go"),
            "delete": ("login login 403 403 403 ok", "login login 403 403 403 go"),
        }.items()
    },
    # API tokens are revoked (an action), not edited; deleting one stays possible, as deleting
    # its user would.
    ("governance.apitoken", "delete"): (
        "login login 403 403 403 ok",
        "login login 403 403 403 go*",
    ),
    # A measure with progress reports cannot be deleted in admin (reports are never deleted).
    ("measures.measure", "delete"): ("login login 403 403 ok ok", "login login 403 403 403 403"),
    # Rows that others depend on are protected: the page lists them and deletes nothing.
    **{
        (label, "delete"): ("login login 403 403 ok ok", "login login 403 403 ok ok")
        for label in (
            "measures.category",
            "measures.plan",
            "governance.department",
            "governance.division",
        )
    },
}


def _admin_object(w: World, label: str):
    if label in w.objects:
        return w.objects[label]
    return apps.get_model(label).objects.order_by("pk").first()


def _admin_url(label: str, kind: str) -> Url:
    app, model = label.split(".")

    def url(w):
        if kind in {"changelist", "add"}:
            return reverse(f"admin:{app}_{model}_{kind}")
        obj = _admin_object(w, label)
        if kind == "object":
            return f"/admin/{app}/{model}/{obj.pk}/"
        if kind == "simple_history":
            return reverse(f"admin:{app}_{model}_simple_history", args=[obj.pk, w.history_id(obj)])
        return reverse(f"admin:{app}_{model}_{kind}", args=[obj.pk])

    return url


def _admin_route(label: str, kind: str) -> str:
    app, model = label.split(".")
    if kind == "object":
        return f"admin/{app}/{model}/<path:object_id>/"
    return f"admin:{app}_{model}_{kind}"


def _admin_cases() -> list[Case]:
    cases = []
    for label, profiles in ADMIN_TABLE.items():
        for kind in ADMIN_KINDS:
            if kind == "simple_history" and not hasattr(apps.get_model(label), "history"):
                continue
            if (label, kind) in ADMIN_EXCEPTIONS:
                get, post = ADMIN_EXCEPTIONS[label, kind]
            else:
                cells = [_PROFILES[kind][p] for p in profiles.split()]
                get = " ".join(["login login", *(c[0] for c in cells)])
                post = " ".join(["login login", *(c[1] for c in cells)])
            data = (lambda w: {"post": "yes"}) if kind == "delete" else None
            cases.append(Case(_admin_route(label, kind), _admin_url(label, kind), get, post, data))
    return cases


# AdminSite's own pages send visitors to admin's login (``admin``); model pages are caught
# first by the login middleware (``login``).
_ADMIN_SITE = [
    Case("admin:index", _r("admin:index"), "admin admin ok ok ok ok", "admin admin ok ok ok ok"),
    Case("admin:login", _r("admin:login"), "ok ok go go go go", "ok ok ok ok ok ok"),
    Case(
        "admin:logout",
        _r("admin:logout"),
        "admin admin 405 405 405 405",
        "admin admin login login login login",
    ),
    Case(
        "admin:password_change",
        _r("admin:password_change"),
        "admin admin ok ok ok ok",
        "admin admin ok ok ok ok",
    ),
    Case(
        "admin:password_change_done",
        _r("admin:password_change_done"),
        "admin admin ok ok ok ok",
        "admin admin 405 405 405 405",
    ),
    Case(
        "admin:autocomplete",
        lambda w: (
            reverse("admin:autocomplete")
            + ("?app_label=governance&model_name=promotionleader&field_name=user&term=himitsu")
        ),
        "admin admin 403 403 ok ok",
        "admin admin 405 405 405 405",
        note="accounts, from a leader's appointment",
    ),
    Case(
        "admin:jsi18n", _r("admin:jsi18n"), "admin admin ok ok ok ok", "admin admin 405 405 405 405"
    ),
    Case(
        "admin:view_on_site",
        lambda w: reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(Measure).pk, w.other_measure.pk],
        ),
        "admin admin go go go go",
        "admin admin go go go go",
    ),
    Case(
        "admin:app_list",
        lambda w: reverse("admin:app_list", args=["measures"]),
        "admin admin ok ok ok ok",
        "admin admin ok ok ok ok",
    ),
    Case(
        "admin/(?P<url>.*)$",
        lambda w: "/admin/no/such/page",
        "admin admin 404 404 404 404",
        "admin admin 404 404 404 404",
    ),
    Case(
        "admin:auth_user_password_change",
        lambda w: reverse("admin:auth_user_password_change", args=[w.users["other_leader"].pk]),
        "login login 403 403 403 ok",
        "login login 403 403 403 ok",
    ),
    Case(
        "admin:measures_measure_import",
        _r("admin:measures_measure_import"),
        "login login 403 403 ok ok",
        "login login 403 403 ok ok",
    ),
    Case(
        "admin:measures_measure_import_preview",
        _r("admin:measures_measure_import_preview"),
        "login login 403 403 go go",
        "login login 403 403 go go",
    ),
]


def all_cases() -> list[Case]:
    return [*_SITE, *_API, *_PAGES, *_PROGRESS, *_ADMIN_SITE, *_admin_cases()]


# --- running a cell --------------------------------------------------------------------------


def _route_keys(patterns, prefix="", namespace="") -> set[str]:
    keys = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            keys |= _route_keys(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            keys.add(namespace + pattern.name if pattern.name else prefix + str(pattern.pattern))
    return keys


def _outcome(response) -> str:
    code = response.status_code
    if code == 302:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return "login"
        if location.startswith(reverse("admin:login")):
            return "admin"
        return "go"
    return "ok" if code == 200 else str(code)


def _body(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8-sig", "replace")


def _session_of(world: World, role: str) -> str | None:
    """Log the role's account in once; return its session cookie (None for visitors)."""
    if role not in world.users:
        return None
    client = Client()
    client.force_login(world.users[role])
    return client.cookies["sessionid"].value


# Answers given before any view code runs (the login middleware, admin's login check, the
# method check): nothing to compare.
_BEFORE_THE_VIEW = {"login", "admin", "405"}


def _request(world, role, case, method, session, before, *, enforce_csrf=False):
    """Send one request in a savepoint that is rolled back; return (outcome, changes, body)."""
    with transaction.atomic():
        url = case.url(world)
        data = case.data(world) if (case.data and method == "POST") else {}
        client = Client(enforce_csrf_checks=enforce_csrf)
        if session is not None:
            client.cookies["sessionid"] = session
        response = client.get(url) if method == "GET" else client.post(url, data)
        outcome = _outcome(response)
        body = _body(response)
        changes = [] if outcome in _BEFORE_THE_VIEW else _changed(before, snapshot())
        transaction.set_rollback(True)
    return outcome, changes, body


def _run(world, role, settings) -> list[str]:
    settings.DASHBOARD_PUBLIC_READ = role == "public"
    session = _session_of(world, role)
    problems = []
    before = snapshot()
    for case, method in itertools.product(all_cases(), ("GET", "POST")):
        expected = case.outcomes(method)[role]
        writes = expected.endswith("*")
        outcome, changes, body = _request(world, role, case, method, session, before)
        if outcome != expected.rstrip("*"):
            problems.append(f"{case.label}: {method} {outcome}, expected {expected}")
        if writes and not changes:
            problems.append(f"{case.label}: {method} {outcome} changed nothing (expected a write)")
        if not writes and changes:
            problems.append(f"{case.label}: {method} {outcome} changed {changes}")
        if role in {"anonymous", "public"} and outcome == "ok":
            for secret in (SECRET, SECRET_ACCOUNT):
                if secret in body:
                    problems.append(f"{case.label}: {method} names a person ({secret})")
    return problems


@pytest.fixture
def api_unthrottled(settings):
    settings.API_RATE_ANONYMOUS = 100_000
    settings.API_RATE_PER_TOKEN = 100_000
    cache.clear()
    yield
    cache.clear()


# --- the tests -------------------------------------------------------------------------------


def test_every_url_pattern_is_classified():
    patterns = _route_keys(get_resolver().url_patterns)
    listed = {case.route for case in all_cases()}
    assert patterns - listed == set(), "classify these URL patterns in the table (all_cases)"
    assert listed - patterns == set(), "these cases name no URL pattern"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_documented(world, role, settings, api_unthrottled):
    problems = _run(world, role, settings)
    assert problems == [], "\n".join(problems)


def _csrf_exempt(world, case: Case) -> bool:
    """Only the JSON API's operations are exempt: they only read (405 to a POST)."""
    exempt = getattr(resolve(case.url(world).split("?")[0]).func, "csrf_exempt", False)
    assert not exempt or case.route.startswith("api-v1:"), case.label
    return exempt


def test_every_post_without_a_csrf_token_is_refused(world, settings, api_unthrottled):
    """The superuser, who may do everything, posts every form without the CSRF token."""
    session = _session_of(world, "superuser")
    before = snapshot()
    problems = []
    for case in all_cases():
        outcome, changes, _body = _request(
            world, "superuser", case, "POST", session, before, enforce_csrf=True
        )
        expected = case.outcomes("POST")["superuser"] if _csrf_exempt(world, case) else "403"
        if outcome != expected.rstrip("*"):
            problems.append(f"{case.label}: POST without CSRF token {outcome}, expected {expected}")
        if changes:
            problems.append(f"{case.label}: POST without CSRF token changed {changes}")
    assert problems == [], "\n".join(problems)


def test_names_are_there_for_staff_so_their_absence_in_public_means_something(world):
    client = Client()
    client.force_login(world.users["reader"])
    page = client.get(reverse("governance:division", args=[world.other.pk])).content.decode()
    assert f"{SECRET} other_leader" in page and f"{SECRET} 税務課長" in page
    settings_public = Client().get(reverse("governance:division", args=[world.other.pk]))
    assert settings_public.status_code == 302  # public mode off: the login page
