"""Reading needs a login by default; a setting opens the read-only pages to the public."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure_url(seeded):
    from measures.models import Measure

    return Measure.objects.get(name="IT講習の推進").get_absolute_url()


def test_anonymous_reader_is_sent_to_the_login_page(client, measure_url):
    response = client.get(measure_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={measure_url}"


def test_login_page_is_in_japanese_and_open(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "職員のアカウントでログインしてください" in response.content.decode()


def test_logged_in_staff_member_reads_pages(client, django_user_model, measure_url):
    reader = django_user_model.objects.create_user("reader", password="x")
    client.force_login(reader)
    assert client.get(measure_url).status_code == 200


def test_public_reading_opens_read_only_pages_but_not_admin(client, settings, measure_url):
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(measure_url).status_code == 200
    admin_page = client.get(reverse("admin:measures_measure_changelist"))
    assert admin_page.status_code == 302
    assert client.post(measure_url).status_code in {302, 405}


def test_language_switch_works_before_login(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
