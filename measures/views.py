from django.views.generic import DetailView

from .models import Measure


class MeasureDetailView(DetailView):
    model = Measure
    template_name = "measures/measure_detail.html"
    context_object_name = "measure"

    def get_queryset(self):
        return Measure.objects.with_display_data()
