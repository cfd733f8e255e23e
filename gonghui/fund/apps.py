from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "gonghui.fund"
    label = "fund"
    verbose_name = _("温暖基金")
