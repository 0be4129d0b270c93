from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import views
from .api import views as api_views
from .api.main import api

admin.site.site_header = _("盛岡市情報化基本計画 施策管理")
admin.site.site_title = _("盛岡市 ICT 施策管理")
admin.site.index_title = _("管理メニュー")

handler500 = "morioka_ict.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("api/", api_views.docs, name="api_docs"),
    re_path(r"^api/", api_views.not_found),
    path("accounts/api-tokens/", api_views.tokens, name="api_tokens"),
    path("governance/", include("governance.urls")),
    path("", include("measures.urls")),
]
