from django.urls import path

from gonghui.cards import views

app_name = "cards"
urlpatterns = [
    path("issue/<int:member_pk>/", views.card_issue, name="card_issue"),
    path("<int:pk>/action/", views.card_action, name="card_action"),
    path("bulk/<int:unit_pk>/", views.card_issue_bulk, name="card_issue_bulk"),
    path("bulk/<int:unit_pk>/progress", views.card_issue_bulk_progress, name="card_issue_bulk_progress"),
    path("stats/", views.redemption_stats, name="redemption_stats"),
]
