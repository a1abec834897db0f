"""The site's root: public pages, every app's tenant pages under /t/<program>/, the API, accounts and admin."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from partnerhub.core.views import program
from partnerhub.registry import tenant_urlconfs

urlpatterns: list[URLPattern | URLResolver] = [
    path("", program.home_view, name="home"),
    path("signup/program/", program.tenant_signup_view, name="tenant_signup"),
    path("healthz", program.healthz_view, name="healthz"),
    path("t/<slug:tenant_slug>/", include([path("", include(urlconf)) for urlconf in tenant_urlconfs()])),
    path("api/v1/", include("partnerhub.api_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
