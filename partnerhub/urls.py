"""The site's root: public pages, every app's tenant pages under /t/<program>/, the API, accounts and admin."""

from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from partnerhub.core.accounts import login_answers
from partnerhub.core.forms.accounts import AdminLoginForm
from partnerhub.core.views import program
from partnerhub.registry import tenant_urlconfs

admin.site.login_form = AdminLoginForm

urlpatterns: list[URLPattern | URLResolver] = [
    path("", program.home_view, name="home"),
    path("signup/program/", program.tenant_signup_view, name="tenant_signup"),
    path("healthz", program.healthz_view, name="healthz"),
    path("t/<slug:tenant_slug>/", include([path("", include(urlconf)) for urlconf in tenant_urlconfs()])),
    path("api/v1/", include("partnerhub.api_urls")),
    # The two HTML login pages, ahead of their apps' own routes: a refused form (a wrong password, a name too long
    # to be an email address) is a 400, or a 429 once the address is throttled (partnerhub/core/accounts.py).
    path("accounts/login/", login_answers(allauth_views.login), name="account_login"),
    path("admin/login/", login_answers(admin.site.login), name="admin_login"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "partnerhub.core.views.errors.bad_request_view"
handler500 = "partnerhub.core.views.errors.server_error_view"
