"""Oversight pages for appeals: early-warning alerts, analysis, and the city's settings
(routing rules, deadline policies, alert thresholds)."""

from django.urls import path

from gonghui.appeals import oversight_views as views

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/act/", views.alert_act, name="alert_act"),
    path("analysis/", views.analysis, name="analysis"),
    path("settings/routing/", views.routing_rule_list, name="routing_rule_list"),
    path("settings/routing/new/", views.routing_rule_create, name="routing_rule_create"),
    path("settings/routing/<int:pk>/", views.routing_rule_edit, name="routing_rule_edit"),
    path("settings/routing/<int:pk>/deactivate/", views.routing_rule_deactivate, name="routing_rule_deactivate"),
    path("settings/deadlines/", views.deadline_policy_list, name="deadline_policy_list"),
    path("settings/deadlines/new/", views.deadline_policy_create, name="deadline_policy_create"),
    path("settings/deadlines/<int:pk>/", views.deadline_policy_edit, name="deadline_policy_edit"),
    path("settings/alerts/", views.alert_rule_settings, name="alert_rule_settings"),
]
