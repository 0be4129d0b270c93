"""Who may see what: the one rule for what the public sees.

With ``DASHBOARD_PUBLIC_READ`` anyone can open the read-only pages and downloads, to publish the
plan's progress. The public therefore sees the plan's facts — measures, statuses, periods,
categories, divisions, bodies and teams, and a measure's history as dates, kinds of change and
the values that changed — but never a person:

- no staff names: division heads, 情報化推進リーダー and who appointed them, team members;
- no account names of the people who changed a record (the history's 変更者);
- no free-text reasons of changes (理由): a reason can carry an import's file name or a
  person's name.

Withheld values read 「（非公開）」, so a reader can tell that something is there. Anyone logged
in is staff and sees everything; a file written outside a request (no viewer) counts as public.

Selectors ask this module when they build page data (``measures.history.measure_history``),
and templates pass names they show through the ``shown_to`` filter, which calls
``person_name``. Nothing else decides who sees a name.
"""

from django.utils.translation import gettext as _


def sees_people(viewer) -> bool:
    """Return True if ``viewer`` may see who did what: staff (logged in) only."""
    return viewer is not None and viewer.is_authenticated


def _withheld(text: str) -> str:
    return _("（非公開）") if text else ""


def person_name(name: str, viewer) -> str:
    """Return a person's name or account name as ``viewer`` may see it."""
    return name if sees_people(viewer) else _withheld(name)


def change_reason(reason: str, viewer) -> str:
    """Return a history entry's free-text reason as ``viewer`` may see it."""
    return reason if sees_people(viewer) else _withheld(reason)
