from django.urls import path

from gonghui.orgs import views

app_name = "orgs"
urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_tree, name="unit_detail"),
    path("units/<int:parent_pk>/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_edit, name="employer_create"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("service-points/", views.service_point_list, name="service_point_list"),
    path("service-points/new/", views.service_point_edit, name="service_point_create"),
    path("service-points/<int:pk>/", views.service_point_detail, name="service_point_detail"),
    path("service-points/<int:pk>/edit/", views.service_point_edit, name="service_point_edit"),
]
