"""Django admin for global records only (tenants, users). Tenant-owned data is managed in the app, per tenant."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from partnerhub.core.models import Tenant, User

# django-stubs makes these Django classes generic, but they cannot be subscripted at runtime (no __class_getitem__):
# the type arguments are given to mypy only.
if TYPE_CHECKING:
    _TenantModelAdmin = admin.ModelAdmin[Tenant]
    _DjangoUserAdmin = DjangoUserAdmin[User]
else:
    _TenantModelAdmin = admin.ModelAdmin
    _DjangoUserAdmin = DjangoUserAdmin


@admin.register(Tenant)
class TenantAdmin(_TenantModelAdmin):
    list_display = ("name", "slug", "require_mfa", "created_at")
    search_fields = ("name", "slug")


@admin.register(User)
class UserAdmin(_DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
