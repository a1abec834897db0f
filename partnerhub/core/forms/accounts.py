"""The login forms of the HTML paths, with the login name bounded before authentication (and django-axes) sees it."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator

# The longest email address there can be (RFC 5321); django-axes keeps the attempted name in 255 characters.
LOGIN_MAX_LENGTH = 254
TOO_LONG = f"An email address has at most {LOGIN_MAX_LENGTH} characters."


def _bound(field: object) -> None:
    field.max_length = LOGIN_MAX_LENGTH  # type: ignore[attr-defined]
    field.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH, message=TOO_LONG))  # type: ignore[attr-defined]
    field.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)  # type: ignore[attr-defined]


class LoginForm(AllauthLoginForm):  # type: ignore[misc]
    """allauth's login form; a field error skips authentication (allauth checks ``_errors`` first)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _bound(self.fields["login"])


class AdminLoginForm(AdminAuthenticationForm):
    """Django's admin login form; its ``clean`` authenticates only when the name passed its field's validators."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _bound(self.fields["username"])
