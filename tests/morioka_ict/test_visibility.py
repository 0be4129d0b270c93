"""Public reading (DASHBOARD_PUBLIC_READ) shows the plan's facts and never a person.

Every public page and every public download is read as an anonymous visitor, with the seeded
plan, named people in 推進体制, and history entries written by a named account with a reason
that names a file: neither the names nor the reason may appear anywhere.
"""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone, translation

from governance.models import Department, Division, ProjectTeam, ProjectTeamMember, PromotionLeader
from measures.models import Category, Measure, Status
from measures.progress import urls as progress_urls
from measures.progress.models import ProgressRound, RoundState
from measures.services import measure_set_status
from morioka_ict import visibility

pytestmark = pytest.mark.django_db

EDITOR = "secret-login-name"
REASON = "Excel取込: secret-import-file_2026.xlsx（担当 秘密 花子）"
SECRETS = (EDITOR, "secret-import-file", "秘密")


@pytest.fixture
def named_register(seeded, django_user_model):
    """The seeded plan with people in 推進体制 and edits by a named account."""
    editor = django_user_model.objects.create_user(EDITOR, password="unused-in-tests")
    department = Department.objects.create(name="総務部")
    division = Division.objects.create(
        department=department, name="市民課", head_title="課長", head_name="秘密 課長"
    )
    PromotionLeader.objects.create(
        division=division,
        person_name="秘密 リーダー",
        appointed_by="市民課長 秘密 課長",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        user=editor,
    )
    PromotionLeader.objects.create(
        division=division,
        person_name="秘密 前任者",
        appointed_by="市民課長 秘密 前課長",
        start_date=timezone.localdate() - datetime.timedelta(days=900),
        end_date=timezone.localdate() - datetime.timedelta(days=31),
    )
    measure = Measure.objects.get(name="IT講習の推進")
    measure.responsible_division = division
    measure.save()
    measure.cooperating_divisions.add(division)
    team = ProjectTeam.objects.create(
        name="窓口改革チーム", purpose="横断的な検討", formed_on=datetime.date(2024, 4, 1)
    )
    team.divisions.add(division)
    team.measures.add(measure)
    ProjectTeamMember.objects.create(team=team, person_name="秘密 チーム員", division=division)
    measure_set_status(
        measures=Measure.objects.filter(pk=measure.pk),
        status=Status.NOT_STARTED,
        user=editor,
        reason=REASON,
    )
    return measure


def _public_urls() -> list[str]:
    urls = [
        reverse("measures:home"),
        reverse("measures:home") + "?as_of=" + timezone.localdate().isoformat(),
        reverse("measures:browser"),
        reverse("measures:browser") + "?relistings=on",
        reverse("measures:periods"),
        reverse("measures:export_csv"),
        reverse("measures:export_xlsx") + "?relistings=on",
        reverse("measures:excel:summary"),
        reverse("measures:excel:opendata"),
        reverse("measures:excel:opendata_bom"),
        reverse("governance:structure"),
        reverse("governance:division_list"),
        reverse("governance:team_list"),
    ]
    for category in Category.objects.all():
        urls.append(reverse("measures:category", args=[category.code]))
        urls.append(reverse("measures:export_csv") + f"?category={category.code}")
    urls += [m.get_absolute_url() for m in Measure.objects.all()]
    urls += [d.get_absolute_url() for d in Division.objects.all()]
    urls += [t.get_absolute_url() for t in ProjectTeam.objects.all()]
    # A confirmed round's results (the seed's baseline round): public, naming no one.
    for progress_round in ProgressRound.objects.filter(state=RoundState.CONFIRMED):
        urls += [
            reverse(f"measures:progress:{name}", args=[progress_round.pk])
            for name in PUBLIC_RESULT_ROUTES
        ]
    return urls


# Progress routes the public reads for confirmed rounds only (refused otherwise: see
# tests/measures/progress/test_comparison.py and test_exports.py).
PUBLIC_RESULT_ROUTES = (
    "round_compare",
    "round_compare_csv",
    "round_results",
    "round_opendata",
    "round_opendata_bom",
)


def _text_of(response) -> str:
    """Return everything a reader receives: the page, or every part of a workbook."""
    content = b"".join(response) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "".join(workbook.read(name).decode("utf-8") for name in workbook.namelist())
    return content.decode("utf-8-sig")


def _route_names(urlconf_patterns, prefix="") -> set[str]:
    names = set()
    for pattern in urlconf_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _route_names(pattern.url_patterns, namespace)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_public_pages_and_files_name_no_one(settings, named_register):
    settings.DASHBOARD_PUBLIC_READ = True
    visitor = Client()
    visited = set()
    for url in _public_urls():
        response = visitor.get(url)
        assert response.status_code == 200, url
        text = _text_of(response)
        for secret in SECRETS:
            assert secret not in text, (url, secret)
        visited.add(resolve(url.split("?")[0]).view_name)

    public_routes = {
        name
        for name in _route_names(get_resolver().url_patterns)
        if name.startswith(("measures:", "governance:")) and name not in _login_only_routes()
    }
    assert public_routes <= visited, public_routes - visited


def _login_only_routes() -> dict[str, str]:
    """Return {route name: a URL of it} for the 進捗調査 pages, which need a login even when
    the dashboard is public (the public sees confirmed results on the measure pages only)."""
    return {
        f"measures:progress:{pattern.name}": reverse(
            f"measures:progress:{pattern.name}",
            kwargs={name: 1 for name in pattern.pattern.converters},
        )
        for pattern in progress_urls.urlpatterns
        if pattern.name not in PUBLIC_RESULT_ROUTES
    }


def test_progress_pages_need_a_login_even_in_public_mode(settings, named_register):
    settings.DASHBOARD_PUBLIC_READ = True
    visitor = Client()
    for name, url in _login_only_routes().items():
        response = visitor.get(url)
        if response.status_code != 405:  # POST-only actions
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login")), name
        response = visitor.post(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_public_history_shows_when_and_what_but_not_who_or_why(settings, named_register):
    settings.DASHBOARD_PUBLIC_READ = True
    page = Client().get(named_register.get_absolute_url()).content.decode()

    history = page[page.index('id="history-heading"') :]
    assert "変更" in history and "未着手" in history
    assert timezone.localdate().isoformat() in history
    assert "（非公開）" in history


def test_staff_see_who_changed_what_and_why(reader_client, named_register):
    page = reader_client.get(named_register.get_absolute_url()).content.decode()

    assert EDITOR in page
    assert REASON in page
    assert "秘密 リーダー" in page


@translation.override("ja")
def test_one_rule_for_people_and_reasons(named_register, reader):
    assert visibility.person_name("秘密 課長", reader) == "秘密 課長"
    assert visibility.change_reason(REASON, reader) == REASON
    for viewer in (AnonymousUser(), None):
        assert visibility.person_name("秘密 課長", viewer) == "（非公開）"
        assert visibility.change_reason(REASON, viewer) == "（非公開）"
        assert visibility.person_name("", viewer) == ""
        assert visibility.change_reason("", viewer) == ""
