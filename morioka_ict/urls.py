from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "盛岡市情報化基本計画 施策管理"
admin.site.site_title = "盛岡市 ICT 施策管理"
admin.site.index_title = "管理メニュー"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("governance/", include("governance.urls")),
    path("", include("measures.urls")),
]
