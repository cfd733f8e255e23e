from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gonghui.portal"
    label = "portal"
    verbose_name = _("会员自助服务")

    def ready(self):
        from gonghui.portal import checks  # noqa: F401 - registers the deploy check
