from django.urls import include, path

from gonghui.appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="appeal_list"),
    path("new/", views.appeal_create, name="appeal_create"),
    path("caller.json", views.caller, name="caller"),
    path("suggest.json", views.suggest, name="suggest"),
    path("employers.json", views.employers, name="employers"),
    path("<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("<int:pk>/act/", views.appeal_act, name="appeal_act"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("", include("gonghui.appeals.oversight_urls")),
]
