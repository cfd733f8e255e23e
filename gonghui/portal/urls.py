from django.urls import path

from gonghui.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signout/", views.signout, name="signout"),
    path("qr.json", views.qr, name="qr"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("requests/", views.data_requests, name="data_requests"),
    path("data.json", views.my_data, name="my_data"),
]
