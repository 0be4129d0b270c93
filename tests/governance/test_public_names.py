"""Pages opened to the public (DASHBOARD_PUBLIC_READ) keep staff names for staff."""

import pytest
from django.test import Client

from governance.models import ProjectTeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_pages(make_leader, make_team, make_division, make_measure):
    division = make_division("市民課", head_name="岩手 次郎")
    make_leader("盛岡 太郎", division=division, appointed_by="市民課長 岩手 次郎")
    measure = make_measure("窓口の電子化")
    measure.responsible_division = division
    measure.save()
    team = make_team(divisions=[division], measures=[measure])
    ProjectTeamMember.objects.create(team=team, person_name="紫波 三郎", division=division)
    return [
        division.get_absolute_url(),
        "/governance/divisions/",
        team.get_absolute_url(),
        measure.get_absolute_url(),
    ]


def test_public_readers_see_no_staff_names(settings, named_pages):
    settings.DASHBOARD_PUBLIC_READ = True
    for url in named_pages:
        page = Client().get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        for name in ("盛岡 太郎", "岩手 次郎", "紫波 三郎"):
            assert name not in text, (url, name)


def test_staff_see_the_names(reader_client, named_pages):
    shown = "".join(reader_client.get(url).content.decode() for url in named_pages)
    for name in ("盛岡 太郎", "岩手 次郎", "紫波 三郎"):
        assert name in shown


def test_dates_follow_the_reader_language(reader_client, make_leader, make_division):
    import datetime

    division = make_division("市民課")
    make_leader("盛岡 太郎", division=division, start=datetime.date(2020, 4, 1))

    assert "2020年4月1日" in reader_client.get(division.get_absolute_url()).content.decode()
    reader_client.post("/i18n/setlang/", {"language": "en"})
    assert "April 1, 2020" in reader_client.get(division.get_absolute_url()).content.decode()
