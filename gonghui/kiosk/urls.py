from django.urls import path

from gonghui.kiosk import views

app_name = "kiosk"
urlpatterns = [
    # Staff pages first: "manage" is a reserved kiosk code.
    path("manage/slots/", views.slot_list, name="slot_list"),
    path("manage/slots/new/", views.slot_create, name="slot_create"),
    path("manage/slots/<int:pk>/", views.slot_detail, name="slot_detail"),
    path("manage/slots/<int:pk>/cancel/", views.slot_cancel, name="slot_cancel"),
    path("manage/slots/<int:pk>/bookings/<int:booking_pk>/", views.booking_action, name="booking_action"),
    path("manage/mediation/", views.mediation_list, name="mediation_list"),
    path("manage/mediation/<int:pk>/", views.mediation_detail, name="mediation_detail"),
    path("manage/mediation/<int:pk>/schedule/", views.mediation_schedule, name="mediation_schedule"),
    path("manage/mediation/<int:pk>/close/", views.mediation_close, name="mediation_close"),
    path("manage/devices/", views.kiosk_list, name="kiosk_list"),
    path("manage/devices/new/", views.kiosk_create, name="kiosk_create"),
    path("manage/devices/<int:pk>/", views.kiosk_detail, name="kiosk_detail"),
    path("manage/devices/<int:pk>/token/", views.kiosk_token, name="kiosk_token"),
    path("manage/devices/<int:pk>/active/", views.kiosk_set_active, name="kiosk_set_active"),
    # The device's own pages (its token, no staff session).
    path("<slug:code>/", views.home, name="home"),
    path("<slug:code>/book/", views.book, name="book"),
    path("<slug:code>/appeal/", views.appeal, name="appeal"),
    path("<slug:code>/mediation/", views.mediation, name="mediation"),
    path("<slug:code>/track/", views.track, name="track"),
]
