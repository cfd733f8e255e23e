from django.urls import path

from gonghui.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_create, name="member_create"),
    path("units/", views.unit_directory, name="unit_directory"),
    path("requests/", views.data_request_list, name="data_request_list"),
    path("requests/<int:pk>/close/", views.data_request_close, name="data_request_close"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("<int:pk>/rejoin/", views.member_rejoin, name="member_rejoin"),
    path("<int:pk>/merge/", views.member_merge, name="member_merge"),
]
