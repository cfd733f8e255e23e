from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gonghui.api import api
from gonghui.appeals.views import track as appeal_track
from gonghui.cards.views import venue_terminal
from gonghui.core.views import healthz
from gonghui.orgs.views import service_point_public

admin.site.site_header = "Gonghui 工会服务平台 · 系统管理"
admin.site.site_title = "Gonghui"

urlpatterns = [
    path("", include("gonghui.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("gonghui.accounts.urls")),
    path("orgs/", include("gonghui.orgs.urls")),
    path("members/", include("gonghui.members.urls")),
    path("data/", include("gonghui.imports.urls")),
    path("cards/", include("gonghui.cards.urls")),
    path("appeals/", include("gonghui.appeals.urls")),
    path("track/", appeal_track, name="appeal_track"),
    path("my/", include("gonghui.portal.urls")),
    path("kiosk/", include("gonghui.kiosk.urls")),
    path("mediation/", include("gonghui.mediation.urls")),
    path("hardship/", include("gonghui.hardship.urls")),
    path("mutualaid/", include("gonghui.mutualaid.urls")),
    path("fund/", include("gonghui.fund.urls")),
    path("venue/", venue_terminal, name="venue_terminal"),
    path("p/<slug:code>/", service_point_public, name="service_point_public"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "gonghui/favicon.svg")),
]
