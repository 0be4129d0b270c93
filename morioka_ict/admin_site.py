"""The admin site: every model admin registered on it gets a change list that checks its query
parameters before they reach the database.

Django validates most change-list parameters itself (list filters and field lookups go through
the field's ``to_python``; integers beyond a column's range match nothing). What it leaves
unchecked is the date hierarchy: ``?start_date__year=99999999999999999999999``, or the year
9999 whose end lies beyond ``date.max``, raise OverflowError or ValueError while the dates are
computed, which is a server error. A NUL byte in any query string is refused earlier, for every
page, by ``morioka_ict.middleware.RefuseNulInQueryMiddleware``.
"""

from datetime import MAXYEAR, MINYEAR

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.utils.translation import gettext as _

# The last year stops one short of MAXYEAR: a year's (or December's) range ends on the first
# day after it.
_DATE_PARTS = {"year": (MINYEAR, MAXYEAR - 1), "month": (1, 12), "day": (1, 31)}


class CheckedChangeList(ChangeList):
    def get_filters(self, request):
        if self.date_hierarchy:
            self._check_date_hierarchy()
        return super().get_filters(request)

    def _check_date_hierarchy(self) -> None:
        """Refuse date-hierarchy parts that are not whole numbers in their range."""
        for part, (low, high) in _DATE_PARTS.items():
            for value in self.filter_params.get(f"{self.date_hierarchy}__{part}", []):
                try:
                    number = int(value)
                except ValueError as error:
                    raise IncorrectLookupParameters(error) from error
                if not low <= number <= high:
                    raise IncorrectLookupParameters(f"{part} {number} out of {low}..{high}")


class CheckedChangeListMixin:
    """Use ``CheckedChangeList``, and say why the filters were dropped.

    On IncorrectLookupParameters Django redirects to the bare list with ``?e=1`` and shows it
    without a word; the message tells the user their filter was not applied.
    """

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and list(request.GET) == [ERROR_FLAG]:
            messages.warning(
                request,
                _("絞り込みの条件に誤りがあったため、条件を外してすべて表示しています。"),
            )
        return super().changelist_view(request, extra_context)


class DashboardAdminSite(admin.AdminSite):
    """Django's admin site, giving every registered admin ``CheckedChangeListMixin``, including
    those of installed apps (auth, axes)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedChangeListMixin):
            admin_class = type(
                admin_class.__name__,
                (CheckedChangeListMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
