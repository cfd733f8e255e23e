from django.urls import path

from gonghui.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signin/password/", views.signin_password, name="signin_password"),
    path("signout/", views.signout, name="signout"),
    path("qr.json", views.qr, name="qr"),
    path("benefits/", views.benefits, name="benefits"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("mutualaid/", views.mutualaid, name="mutualaid"),
    path("join/", views.apply_join, name="apply_join"),
    path("transfer/", views.apply_transfer, name="apply_transfer"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("employers.json", views.employers, name="employers"),
    path("appeals/", views.appeals, name="appeals"),
    path("contact/", views.contact, name="contact"),
    path("password/", views.password, name="password"),
    path("requests/", views.data_requests, name="data_requests"),
    path("data.json", views.my_data, name="my_data"),
]
