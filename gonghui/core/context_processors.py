from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Joins short items in running text: 审计员、工会干部 / Auditor, Officer
LIST_SEP = pgettext_lazy("enumeration", "、")


def navigation(request):
    """The workspace's navigation by domain, limited to what the user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "can"):
        return {"nav": [], "LIST_SEP": LIST_SEP}
    items = [
        ("home", _("工作台"), reverse("core:home"), "orgs.view"),
        ("units", _("组织体系"), reverse("orgs:unit_tree"), "orgs.view"),
        ("employers", _("用人单位"), reverse("orgs:employer_list"), "orgs.view"),
        ("service_points", _("服务阵地"), reverse("orgs:service_point_list"), "orgs.view"),
        ("appeals", _("12351诉求"), reverse("appeals:appeal_list"), "appeals.view"),
        ("mediation", _("劳动争议调解"), reverse("mediation:case_list"), "mediation.view"),
        ("mediation_own", _("我的调解案件"), reverse("mediation:case_list"), "mediation.own"),
        ("legalaid", _("法律援助"), reverse("mediation:legalaid_home"), "legalaid.view"),
        ("legalaid_own", _("我的法律援助"), reverse("mediation:legalaid_home"), "legalaid.own"),
        ("hardship", _("困难帮扶"), reverse("hardship:file_list"), "hardship.view"),
        ("mutualaid", _("互助保障"), reverse("mutualaid:plan_list"), "mutualaid.view"),
        ("fund", _("温暖基金"), reverse("fund:account_list"), "fund.view"),
        ("members", _("会员"), reverse("members:member_list"), "members.view"),
        ("applications", _("入会申请"), reverse("members:application_list"), "members.view"),
        ("cards", _("服务卡核销"), reverse("cards:redemption_stats"), "members.view"),
        ("benefits", _("优惠项目"), reverse("cards:benefit_list"), "members.view"),
        ("data_requests", _("个人信息请求"), reverse("members:data_request_list"), "members.view"),
        ("kiosk", _("智能舱"), reverse("kiosk:slot_list"), "orgs.view"),
        ("imports", _("导入导出"), reverse("imports:job_list"), "members.import"),
        ("staff", _("工作人员"), reverse("accounts:staff_list"), "accounts.manage_staff"),
        ("appeal_alerts", _("预警"), reverse("appeals:alert_list"), "appeals.view"),
        ("appeal_analysis", _("诉求分析"), reverse("appeals:analysis"), "appeals.view"),
        ("calendar", _("工作日历"), reverse("core:calendar"), "orgs.view"),
        ("audit", _("审计日志"), reverse("core:audit_log"), "audit.view"),
        ("admin", _("系统管理"), reverse("admin:index"), "admin.access"),
    ]
    nav = [{"key": k, "label": label, "url": url} for k, label, url, perm in items if user.can(perm)]
    # The current page's item: the longest link the path starts with, so /appeals/alerts/
    # marks 预警 and not 12351诉求 as well.
    path = request.path
    matches = [item for item in nav if item["url"] == path or (item["url"] != "/" and path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    return {"nav": nav, "LIST_SEP": LIST_SEP}
