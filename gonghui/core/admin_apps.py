from django.contrib.admin.apps import AdminConfig


class GonghuiAdminConfig(AdminConfig):
    default_site = "gonghui.core.admin_site.GonghuiAdminSite"
