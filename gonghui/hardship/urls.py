from django.urls import path

from gonghui.hardship import views

app_name = "hardship"
urlpatterns = [
    path("", views.file_list, name="file_list"),
    path("new/", views.file_create, name="file_create"),
    path("<int:pk>/", views.file_detail, name="file_detail"),
    path("<int:pk>/edit/", views.file_edit, name="file_edit"),
    path("<int:pk>/action/", views.file_action, name="file_action"),
    path("<int:pk>/attach/", views.file_attach, name="file_attach"),
    path("<int:pk>/apply/", views.application_create, name="application_create"),
    path("applications/<int:pk>/action/", views.application_action, name="application_action"),
    path("thresholds/", views.threshold_list, name="threshold_list"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/batch/", views.batch_compute, name="batch_compute"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/action/", views.batch_action, name="batch_action"),
]
