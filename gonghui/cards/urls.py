from django.urls import path

from gonghui.cards import views

app_name = "cards"
urlpatterns = [
    path("issue/<int:member_pk>/", views.card_issue, name="card_issue"),
    path("<int:pk>/action/", views.card_action, name="card_action"),
    path("bulk/<int:unit_pk>/", views.card_issue_bulk, name="card_issue_bulk"),
    path("bulk/<int:unit_pk>/progress", views.card_issue_bulk_progress, name="card_issue_bulk_progress"),
    path("stats/", views.redemption_stats, name="redemption_stats"),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/new/", views.venue_edit, name="venue_create"),
    path("venues/<int:pk>/", views.venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("venues/<int:pk>/token/", views.venue_token, name="venue_token"),
    path("benefits/", views.benefit_list, name="benefit_list"),
    path("benefits/new/", views.benefit_edit, name="benefit_create"),
    path("benefits/<int:pk>/", views.benefit_detail, name="benefit_detail"),
    path("benefits/<int:pk>/edit/", views.benefit_edit, name="benefit_edit"),
    path("benefits/<int:pk>/active/", views.benefit_set_active, name="benefit_set_active"),
]
