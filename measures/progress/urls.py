from django.urls import path

from . import result_views, views
from .survey import views as survey_views

app_name = "progress"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_dashboard, name="round"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/scope/", views.round_scope, name="round_scope"),
    path("rounds/<int:pk>/open/", views.round_transition, {"action": "open"}, name="round_open"),
    path("rounds/<int:pk>/close/", views.round_transition, {"action": "close"}, name="round_close"),
    path(
        "rounds/<int:pk>/confirm/",
        views.round_transition,
        {"action": "confirm"},
        name="round_confirm",
    ),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path(
        "rounds/<int:pk>/approve-unchanged/",
        views.round_approve_unchanged,
        name="round_approve_unchanged",
    ),
    path(
        "rounds/<int:pk>/outstanding.csv",
        views.round_outstanding_csv,
        name="round_outstanding_csv",
    ),
    path("rounds/<int:pk>/survey.zip", survey_views.survey_zip, name="survey_zip"),
    path(
        "rounds/<int:pk>/survey/<int:division_pk>.xlsx",
        survey_views.survey_download,
        name="survey_download",
    ),
    path("rounds/<int:pk>/survey/import/", survey_views.survey_import, name="survey_import"),
    path("rounds/<int:pk>/survey/preview/", survey_views.survey_preview, name="survey_preview"),
    path("rounds/<int:pk>/compare/", result_views.round_compare, name="round_compare"),
    path("rounds/<int:pk>/compare.csv", result_views.round_compare_csv, name="round_compare_csv"),
    path("rounds/<int:pk>/results.xlsx", result_views.round_results_workbook, name="round_results"),
    path("rounds/<int:pk>/opendata.csv", result_views.round_opendata, name="round_opendata"),
    path(
        "rounds/<int:pk>/opendata-excel.csv",
        result_views.round_opendata,
        {"bom": True},
        name="round_opendata_bom",
    ),
]
