from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("measures/<int:pk>/", views.MeasureDetailView.as_view(), name="detail"),
]
