from django.urls import include, path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("categories/<slug:code>/", views.CategorySummaryView.as_view(), name="category"),
    path("measures/", views.MeasureBrowserView.as_view(), name="browser"),
    path("measures/export.csv", views.MeasureCsvExportView.as_view(), name="export_csv"),
    path("measures/export.xlsx", views.MeasureXlsxExportView.as_view(), name="export_xlsx"),
    path("periods/", views.PlanPeriodView.as_view(), name="periods"),
    path("measures/<int:pk>/", views.MeasureDetailView.as_view(), name="detail"),
    path("excel/", include("measures.exports.urls")),
    path("progress/", include("measures.progress.urls")),
]
