"""Pages of the promotion structure (推進体制): thin views over governance.selectors."""

from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Division, ProjectTeam


def structure(request):
    return render(
        request, "governance/structure.html", {"structure": selectors.governance_structure()}
    )


def division_list(request):
    return render(
        request, "governance/division_list.html", {"departments": selectors.division_list()}
    )


def division_detail(request, pk: int):
    division = get_object_or_404(Division.objects.select_related("department"), pk=pk)
    return render(
        request, "governance/division_detail.html", {"detail": selectors.division_detail(division)}
    )


def team_list(request):
    active, dissolved = selectors.team_list()
    return render(
        request, "governance/team_list.html", {"active_teams": active, "dissolved_teams": dissolved}
    )


def team_detail(request, pk: int):
    team = get_object_or_404(ProjectTeam, pk=pk)
    return render(request, "governance/team_detail.html", {"detail": selectors.team_detail(team)})
