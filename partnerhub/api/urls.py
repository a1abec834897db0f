from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from partnerhub.api import views

tenant_patterns: list[URLPattern | URLResolver] = [
    path("partners/", views.PartnerListApi.as_view(), name="api_partner_list"),
    path("partners/<int:partner_id>/", views.PartnerDetailApi.as_view(), name="api_partner_detail"),
    path("members/", views.MemberListApi.as_view(), name="api_member_list"),
    path("", include("scorecards.api.urls")),
    path("", include("reviews.api.urls")),
]

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("t/<slug:tenant_slug>/", include(tenant_patterns)),
]
