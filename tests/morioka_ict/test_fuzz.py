"""Random query strings and form values never cause a server error (property-based).

These run in the normal suite on every database (SQLite and PostgreSQL in CI): PostgreSQL
refuses values SQLite accepts (NUL bytes in text, over-long strings), so a fuzz run on SQLite
alone would miss them. Each example runs in a savepoint that is rolled back, so one example's
writes or database error never leak into the next.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_ADMIN = settings(FUZZ, max_examples=200)
FUZZ_FORM = settings(FUZZ, max_examples=40)

# Parameter names the pages understand, plus some they do not.
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
    st.text(max_size=5).map(lambda text: f"{text}\x00"),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=-3, max_value=300).map(str),
    st.sampled_from(
        [
            "",
            "\x00",
            "9999-99-99",
            "2026-02-30",
            "2030-01-01",
            "-1",
            "0",
            "1",
            "12",
            "13",
            "31",
            "32",
            "200",
            "201",
            "9998",
            "9999",
            "10000",
            "99999999999999999999999",
            "1e9",
            "◎",
            "ｼｽﾃﾑ",
            "㍿" * 60,
            "GIS 構築",
        ]
    ),
    st.dates().map(str),
)
one_or_more_values = st.one_of(values, st.lists(values, max_size=3))


def _query_strings(keys: list[str]):
    """Each of ``keys`` present or not, plus up to two parameters nobody expects."""
    return st.tuples(
        st.fixed_dictionaries({}, optional=dict.fromkeys(keys, one_or_more_values)),
        st.dictionaries(st.text(min_size=1, max_size=10), one_or_more_values, max_size=2),
    ).map(lambda known_and_unknown: {**known_and_unknown[1], **known_and_unknown[0]})


PAGES = [
    "measures:home",
    "measures:category",
    "measures:browser",
    "measures:export_csv",
    "measures:export_xlsx",
    "measures:periods",
    "measures:detail",
    "governance:structure",
    "governance:division_list",
    "governance:division",
    "governance:team_list",
]


def _page_url(name: str, measure) -> str:
    """Return the address of page ``name``, with an object where it needs one."""
    from governance.models import Division
    from governance.services import register_governance_seed

    register_governance_seed()
    if name == "measures:category":
        return reverse(name, args=[measure.category.code])
    if name == "measures:detail":
        return measure.get_absolute_url()
    if name == "governance:division":
        return Division.objects.get(name="情報企画課").get_absolute_url()
    return reverse(name)


def _get(client, url, params):
    with transaction.atomic():
        response = client.get(url, params)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def measure(seeded):
    from measures.models import Measure

    return Measure.objects.get(name="IT講習の推進")


@pytest.mark.parametrize("page", PAGES)
def test_no_query_string_breaks_a_page(admin_client, measure, page):
    url = _page_url(page, measure)

    @FUZZ
    @given(params=_query_strings(KNOWN_KEYS))
    def check(params):
        response = _get(admin_client, url, params)
        assert response.status_code < 500, (url, params)

    check()


def _changelist_keys(model_admin, request) -> list[str]:
    """Return the parameters this change list understands: its filters' parameters, its date
    hierarchy's parts, and search, ordering, paging and the error flag."""
    changelist = model_admin.get_changelist_instance(request)
    keys = [key for spec in changelist.filter_specs for key in spec.expected_parameters()]
    if changelist.date_hierarchy:
        keys += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return [*keys, SEARCH_VAR, ORDER_VAR, PAGE_VAR, ALL_VAR, ERROR_FLAG, "_facets", "id__exact"]


# Admin's date filters pass typed dates on as naive datetimes; Django warns, and that is all.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_no_filter_parameter_breaks_an_admin_change_list(admin_client, admin_user, rf, seeded):
    from governance.services import register_governance_seed

    register_governance_seed()
    request = rf.get("/")
    request.user = admin_user
    change_lists = [
        (
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
            _changelist_keys(model_admin, request),
        )
        for model, model_admin in admin.site._registry.items()
    ]
    assert len(change_lists) >= 19
    urls_and_params = st.sampled_from(change_lists).flatmap(
        lambda change_list: st.tuples(st.just(change_list[0]), _query_strings(change_list[1]))
    )

    @FUZZ_ADMIN
    @given(url_and_params=urls_and_params)
    def check(url_and_params):
        url, params = url_and_params
        response = _get(admin_client, url, params)
        assert response.status_code < 500, (url, params)

    check()


def test_no_form_value_breaks_the_admin_measure_form(admin_client, measure):
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    fields = st.fixed_dictionaries(
        {},
        optional={
            key: one_or_more_values
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

    @FUZZ_FORM
    @given(data=fields)
    def check(data):
        with transaction.atomic():
            response = admin_client.post(url, data)
            transaction.set_rollback(True)
        assert response.status_code < 500, data

    check()
