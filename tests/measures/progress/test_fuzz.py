"""Random form values and query strings never cause a server error on the progress pages."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.progress.models import RoundState

from .builders import report_of

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "\x00", "9999-99-99", "2026-02-30", "-1", "0", "101", "1e9", "◎"]),
)


def _fields(names):
    return st.fixed_dictionaries(
        {}, optional={name: st.one_of(values, st.lists(values, max_size=3)) for name in names}
    )


def test_no_form_value_breaks_the_report_and_round_forms(client, make_round, register, people):
    progress_round = make_round(RoundState.OPEN)
    preparing = make_round(RoundState.PREPARING, title="準備中の調査")
    report = report_of(progress_round, register.unassigned)
    report_fields = ["version", "action", "status", "progress_percent", "activities", "links"]
    targets = [
        (reverse("measures:progress:report", args=[report.pk]), report_fields),
        (reverse("measures:progress:report_return", args=[report.pk]), ["version", "comment"]),
        (reverse("measures:progress:report_approve", args=[report.pk]), ["version"]),
        (
            reverse("measures:progress:round_create"),
            ["title", "reference_date", "opens_on", "closes_on"],
        ),
        (reverse("measures:progress:round_scope", args=[preparing.pk]), ["version", "measures"]),
        (reverse("measures:progress:round_close", args=[progress_round.pk]), ["version"]),
    ]
    client.force_login(people.policy)

    @FUZZ
    @given(target=st.sampled_from(targets), data=st.data())
    def check(target, data):
        url, names = target
        response = client.post(url, data.draw(_fields(names)))
        assert response.status_code < 500, (url, response.status_code)

    check()


def test_no_query_string_breaks_the_dashboard(client, make_round, people):
    progress_round = make_round(RoundState.OPEN)
    client.force_login(people.policy)
    url = reverse("measures:progress:round", args=[progress_round.pk])

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(["state", "page", "x"]), values, max_size=3))
    def check(params):
        # A NUL byte is refused site-wide with a 400 page (RefuseNulInQueryMiddleware).
        expected = 400 if any("\x00" in value for value in params.values()) else 200
        assert client.get(url, params).status_code == expected

    check()
