from django.urls import path

from gonghui.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/confirm", views.job_confirm, name="job_confirm"),
    path("jobs/<int:pk>/cancel", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/errors.xlsx", views.job_error_report, name="job_error_report"),
    path("templates/<slug:kind>.xlsx", views.template_download, name="template"),
    path("export-members/", views.member_export, name="member_export"),
    path("export-employers/", views.employer_export, name="employer_export"),
]
