from django.contrib.admin.apps import AdminConfig


class DashboardAdminConfig(AdminConfig):
    """django.contrib.admin with our site as ``admin.site`` (see admin_site.py)."""

    default_site = "morioka_ict.admin_site.DashboardAdminSite"
