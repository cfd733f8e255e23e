"""Oversight pages for appeals: early-warning alerts, analysis, and the city's settings
(routing rules, deadline policies, alert thresholds)."""

urlpatterns: list = []
