"""Pages of the promotion structure (推進体制): thin views over governance.selectors.

Read-only, like the measure pages: anything but GET and HEAD is answered 405."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from . import selectors
from .models import Division, ProjectTeam


@require_safe
def structure(request):
    return render(
        request, "governance/structure.html", {"structure": selectors.governance_structure()}
    )


@require_safe
def division_list(request):
    return render(
        request, "governance/division_list.html", {"departments": selectors.division_list()}
    )


@require_safe
def division_detail(request, pk: int):
    division = get_object_or_404(Division.objects.select_related("department"), pk=pk)
    return render(
        request, "governance/division_detail.html", {"detail": selectors.division_detail(division)}
    )


@require_safe
def team_list(request):
    active, dissolved = selectors.team_list()
    return render(
        request, "governance/team_list.html", {"active_teams": active, "dissolved_teams": dissolved}
    )


@require_safe
def team_detail(request, pk: int):
    team = get_object_or_404(ProjectTeam, pk=pk)
    return render(request, "governance/team_detail.html", {"detail": selectors.team_detail(team)})
