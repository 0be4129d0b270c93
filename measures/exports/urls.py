from django.urls import path

from . import views

app_name = "excel"

urlpatterns = [
    path("summary.xlsx", views.summary_download, name="summary"),
    path("opendata.csv", views.opendata_download, name="opendata"),
    path("opendata-excel.csv", views.opendata_download, {"bom": True}, name="opendata_bom"),
]
