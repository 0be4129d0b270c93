from django.urls import include, path

from . import views

app_name = "measures"

urlpatterns = [
    path("measures/<int:pk>/", views.MeasureDetailView.as_view(), name="detail"),
    path("excel/", include("measures.excel.urls")),
]
