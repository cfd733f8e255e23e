from django.urls import path

from gonghui.mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("handoffs/<int:pk>/", views.case_from_handoff, name="case_from_handoff"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/", views.case_act, name="case_act"),
    path("<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("<int:pk>/case-file.xlsx", views.case_file, name="case_file"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("results/", views.results_page, name="results"),
    path("legal-aid/", views.legalaid_home, name="legalaid_home"),
    path("legal-aid/representations/<int:pk>/", views.representation_detail, name="representation_detail"),
]
