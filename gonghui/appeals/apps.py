from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "gonghui.appeals"
    label = "appeals"
    verbose_name = _("12351 职工诉求")
