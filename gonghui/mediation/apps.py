from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gonghui.mediation"
    verbose_name = _("劳动争议调解与法律援助")
