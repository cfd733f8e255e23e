"""What a city federation's 12351 hotline receives (诉求类别)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppealCategory(models.TextChoices):
    """The category an operator files an appeal under.

    Where an appeal touches several topics it is filed under the one the worker asks the
    union to act on; the labelling rules are in docs/appeals-classifier.md.
    """

    WAGE_ARREARS = "wage_arrears", _("欠薪")
    CONTRACT = "contract", _("劳动合同")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    WORK_INJURY = "work_injury", _("工伤")
    HOURS_LEAVE = "hours_leave", _("工时休假")
    DISMISSAL = "dismissal", _("解除劳动关系与经济补偿")
    SAFETY_HEALTH = "safety_health", _("劳动安全卫生")
    NEW_FORM = "new_form", _("新就业形态权益")
    MEMBERSHIP = "membership", _("入会与工会组织")
    HARDSHIP = "hardship", _("困难帮扶")
    LEGAL_CONSULT = "legal_consult", _("法律咨询")
    PSYCHOLOGICAL = "psychological", _("心理疏导")
    OTHER = "other", _("建议及其他")
