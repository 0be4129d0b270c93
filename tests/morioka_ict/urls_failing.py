"""The project's URLs plus one page that fails, to see what a server error leaves behind."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from morioka_ict.urls import handler500, urlpatterns  # noqa: F401 (handler500 is looked up here)


@login_not_required
def _fail(request):
    raise RuntimeError("わざと起こした障害")


urlpatterns = [path("failing/", _fail), *urlpatterns]
