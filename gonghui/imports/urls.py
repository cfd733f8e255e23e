from django.urls import path

from gonghui.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
]
