"""Long names in admin: whatever fits the name field is saved and found by search, on every
database; a name over the limit is refused with a Japanese message and changes nothing.

Characters such as ㍿ and ㈱ grow under NFKC (㍿ → 株式会社), so a name well within the name
field's 200 characters can have a longer search key.
"""

import pytest
from django.urls import reverse

from measures.models import Measure, Relisting
from tests.admin_forms import measure_form_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:measures_measure_add")


def _text(response) -> str:
    return response.content.decode()


def _add_data(template: Measure, name: str, **overrides) -> dict:
    free = max(m.position for m in Measure.objects.filter(category=template.category)) + 10
    return measure_form_data(template, name=name, position=free, **overrides)


def test_admin_add_saves_a_name_whose_search_key_is_longer_than_the_name(seeded, admin_client):
    template = Measure.objects.get(name="IT講習の推進")
    name = "㍿" * 60  # 240 characters once normalised

    response = admin_client.post(ADD_URL, _add_data(template, name))

    assert response.status_code == 302
    saved = Measure.objects.get(name=name)
    assert saved.search_text == "株式会社" * 60
    found = admin_client.get(
        reverse("admin:measures_measure_changelist"), {"q": "株式会社株式会社"}
    )
    assert [m.name for m in found.context["cl"].result_list] == [name]


def test_admin_change_saves_a_name_whose_search_key_is_longer_than_the_name(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    name = "㈱" * 70  # (株) three times over: 210 characters once normalised

    response = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]),
        measure_form_data(measure, name=name),
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.name == name
    assert reader_sees(admin_client, "(株)(株)") == [name]


def reader_sees(client, query: str) -> list[str]:
    response = client.get(reverse("measures:browser"), {"q": query})
    return [row.record.name for row in response.context["table"].rows]


def test_admin_saves_a_relisting_label_whose_search_key_is_long(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    other = Measure.objects.exclude(category=measure.category).first().category
    free = max(m.position for m in Measure.objects.filter(category=other)) + 10
    label = "㍿" * 200

    response = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]),
        measure_form_data(
            measure, relistings=[{"category": other.pk, "position": free, "label": label}]
        ),
    )

    assert response.status_code == 302
    assert Relisting.objects.get(measure=measure, category=other).label == label


def test_admin_refuses_a_name_over_200_characters_with_a_message(seeded, admin_client):
    template = Measure.objects.get(name="IT講習の推進")
    count = Measure.objects.count()

    response = admin_client.post(ADD_URL, _add_data(template, "あ" * 201))

    assert response.status_code == 200
    assert "この値は 200 文字以下でなければなりません( 201 文字になっています)。" in _text(response)
    assert Measure.objects.count() == count


def test_admin_refuses_a_relisting_label_over_200_characters_with_a_message(seeded, admin_client):
    measure = Measure.objects.get(name="IT講習の推進")
    other = Measure.objects.exclude(category=measure.category).first().category
    relistings = Relisting.objects.count()

    response = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]),
        measure_form_data(
            measure, relistings=[{"category": other.pk, "position": 99, "label": "い" * 201}]
        ),
    )

    assert response.status_code == 200
    assert "この値は 200 文字以下でなければなりません( 201 文字になっています)。" in _text(response)
    assert Relisting.objects.count() == relistings
