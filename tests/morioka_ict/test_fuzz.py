"""Random query strings and form values never cause a server error (property-based)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Parameter names the pages and admin understand, plus some they do not.
KNOWN_KEYS = [
    "q",
    "category",
    "status",
    "period",
    "periods",
    "relistings",
    "sort",
    "page",
    "per_page",
    "as_of",
    "o",
    "p",
    "e",
    "_facets",
    "status__exact",
    "category__id__exact",
    "periods__id__exact",
    "export",
    "language",
    "next",
]
values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "\x00", "9999-99-99", "2026-02-30", "-1", "0", "1e9", "◎", "ｼｽﾃﾑ"]),
    st.dates().map(str),
)
query_strings = st.dictionaries(
    st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=10)),
    st.one_of(values, st.lists(values, max_size=3)),
    max_size=6,
)


def _page_urls(measure) -> list[str]:
    """Every page that reads a query string, and the admin lists."""
    from governance.models import Division
    from governance.services import register_governance_seed

    register_governance_seed()
    division = Division.objects.get(name="情報企画課")
    pages = [
        reverse("measures:home"),
        reverse("measures:category", args=[measure.category.code]),
        reverse("measures:browser"),
        reverse("measures:export_csv"),
        reverse("measures:export_xlsx"),
        reverse("measures:periods"),
        measure.get_absolute_url(),
        reverse("governance:structure"),
        reverse("governance:division_list"),
        division.get_absolute_url(),
        reverse("governance:team_list"),
    ]
    admin_lists = ["measures_measure", "measures_relisting", "governance_accessrecord"]
    return [*pages, *(reverse(f"admin:{name}_changelist") for name in admin_lists)]


@pytest.fixture
def measure(seeded):
    from measures.models import Measure

    return Measure.objects.get(name="IT講習の推進")


def test_no_query_string_breaks_a_page(admin_client, measure):
    urls = _page_urls(measure)

    @FUZZ
    @given(url=st.sampled_from(urls), params=query_strings)
    def check(url, params):
        response = admin_client.get(url, params)
        assert response.status_code < 500, (url, params)

    check()


def test_no_form_value_breaks_the_admin_measure_form(admin_client, measure):
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    fields = st.fixed_dictionaries(
        {},
        optional={
            key: st.one_of(values, st.lists(values, max_size=3))
            for key in [
                "category",
                "position",
                "name",
                "status",
                "periods",
                "notes",
                "expected_version",
                "change_reason",
                "responsible_division",
                "cooperating_divisions",
                "relistings-TOTAL_FORMS",
                "relistings-INITIAL_FORMS",
                "relistings-0-category",
                "relistings-0-position",
                "relistings-0-label",
            ]
        },
    )

    @FUZZ
    @given(data=fields)
    def check(data):
        response = admin_client.post(url, data)
        assert response.status_code < 500, data

    check()
