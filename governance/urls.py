from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.structure, name="structure"),
    path("divisions/", views.division_list, name="division_list"),
    path("divisions/<int:pk>/", views.division_detail, name="division"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
]
