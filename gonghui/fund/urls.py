from django.urls import path

from gonghui.fund import views

app_name = "fund"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("transfer/", views.transfer, name="transfer"),
    path("check/", views.balance_check, name="balance_check"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/export/", views.account_export, name="account_export"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("transactions/<int:pk>/", views.transaction_detail, name="transaction_detail"),
    path("transactions/<int:pk>/reverse/", views.transaction_reverse, name="transaction_reverse"),
]
