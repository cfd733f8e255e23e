"""Roles and what each may do.

A permission is a plain string checked with ``staff.can("...")``. The map is code, not
data: changing who may do what is a reviewed change with a test, not an admin click.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    OFFICER = "officer", _("工会干部")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    MEDIATOR = "mediator", _("调解员")
    LAWYER = "lawyer", _("签约律师")
    AUDITOR = "auditor", _("审计员")
    SYSADMIN = "sysadmin", _("系统管理员")


# Separation of duties: whoever runs the system does not audit it.
EXCLUSIVE_ROLES = [frozenset({Role.SYSADMIN, Role.AUDITOR})]

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.UNIT_ADMIN: frozenset(
        {
            "orgs.view",
            "kiosk.manage",
            "orgs.manage_units",
            "orgs.manage_employers",
            "orgs.manage_service_points",
            "accounts.manage_staff",
            "members.view",
            "members.manage",
            "members.import",
            "members.export",
            "members.reveal",
            "cards.manage",
            "calendar.manage",
            "appeals.view",
            "appeals.intake",
            "appeals.handle",
            "appeals.configure",
            "mediation.view",
            "mediation.handle",
            "mediation.configure",
            "legalaid.view",
            "legalaid.handle",
            "hardship.view",
            "hardship.file",
            "hardship.approve",
            "mutualaid.view",
            "mutualaid.manage",
            "mutualaid.claim",
            "mutualaid.approve",
            "fund.view",
            "fund.manage",
        }
    ),
    Role.OFFICER: frozenset(
        {
            "orgs.view",
            "kiosk.manage",
            "orgs.manage_employers",
            "orgs.manage_service_points",
            "members.view",
            "members.manage",
            "members.import",
            "members.export",
            "members.reveal",
            "cards.manage",
            "appeals.view",
            "appeals.intake",
            "appeals.handle",
            "mediation.view",
            "mediation.handle",
            "legalaid.view",
            "legalaid.handle",
            "hardship.view",
            "hardship.file",
            "hardship.approve",
            "mutualaid.view",
            "mutualaid.manage",
            "mutualaid.claim",
            "mutualaid.approve",
            "fund.view",
            # at city or district level only: gonghui/fund/services.py check_fund_manager
            "fund.manage",
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {
            "orgs.view",
            "kiosk.manage",
            "orgs.manage_employers",
            "orgs.manage_service_points",
            "members.view",
            "members.manage",
            "members.import",
            "members.export",
            "appeals.view",
            "appeals.intake",
            "appeals.handle",
            "mediation.view",
            "mediation.handle",
            "legalaid.view",
            "legalaid.handle",
            "hardship.view",
            "hardship.file",
            "mutualaid.view",
            "mutualaid.claim",
        }
    ),
    Role.MEDIATOR: frozenset(
        {"orgs.view", "members.view", "appeals.view", "mediation.view", "mediation.handle", "legalaid.view"}
    ),
    # A contracted lawyer (签约律师) works only on what is assigned to them: the ".own"
    # permissions let the mediation selectors and services narrow every read and write to
    # the cases, consultations and representations they are assigned.
    Role.LAWYER: frozenset({"orgs.view", "mediation.own", "legalaid.own"}),
    # The auditor reads everything in scope, the audit log included, and changes nothing.
    Role.AUDITOR: frozenset(
        {
            "orgs.view",
            "members.view",
            "audit.view",
            "appeals.view",
            "mediation.view",
            "legalaid.view",
            "hardship.view",
            "mutualaid.view",
            "fund.view",
        }
    ),
    Role.SYSADMIN: frozenset(
        {"orgs.view", "orgs.manage_units", "accounts.manage_staff", "admin.access", "api.tokens", "calendar.manage"}
    ),
}

WRITE_PERMISSIONS = frozenset(p for perms in ROLE_PERMISSIONS.values() for p in perms if not p.endswith(".view"))
