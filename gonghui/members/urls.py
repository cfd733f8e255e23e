from django.urls import path

from gonghui.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="member_list"),
]
