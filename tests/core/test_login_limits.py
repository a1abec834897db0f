"""Login limits that cannot be turned against others (issue 18): the login name bounded before django-axes sees it,
per-address throttling of failures only, and the client address believed only from a configured trusted proxy."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from partnerhub.core.accounts import resolve_client_address, trusted_networks
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PATHS = {
    "allauth": ("/accounts/login/", "login", 302),
    "admin": ("/admin/login/", "username", 302),
    "api": ("/api/v1/auth/token/", "username", 200),
}


def post(path, login, password, **extra):
    url, field, _ = PATHS[path]
    return Client().post(url, {field: login, "password": password}, **extra)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("length", [255, 300, 100_000])
def test_a_login_name_too_long_for_an_email_is_a_400_with_a_clear_message_and_no_attempt_recorded(path, length):
    from axes.models import AccessAttempt

    response = post(path, "a" * (length - len("@example.test")) + "@example.test", "whatever")
    assert response.status_code == 400
    assert "at most 254 characters" in response.content.decode()
    assert AccessAttempt.objects.count() == 0


@pytest.mark.parametrize("path", PATHS)
def test_many_failures_from_one_address_never_refuse_another_accounts_correct_password(path, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    colleague = UserFactory(email="colleague@example.test", is_staff=True)
    # One person mistyping behind the office NAT: failures for several names, all from one address.
    statuses = [post(path, f"typo{i}@example.test", "wrong-password").status_code for i in range(9)]
    assert statuses[:6] == [400] * 6
    assert statuses[6:] == [429] * 3  # further failures from the address are throttled...
    throttled = post(path, "typo1@example.test", "wrong-password")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    ok = post(path, colleague.email, PASSWORD)  # ...but a colleague's right password goes through
    assert ok.status_code == PATHS[path][2]


@pytest.mark.parametrize("path", ["allauth", "api"])
def test_a_forged_forwarded_for_does_not_escape_the_lockout_without_a_trusted_proxy(path):
    user = UserFactory(email="target@example.test", is_staff=True)
    for i in range(5):
        post(path, user.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert post(path, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_client_address_has_its_own_lockout():
    user = UserFactory(email="roaming@example.test", is_staff=True)
    proxy = {"REMOTE_ADDR": "10.1.2.3"}
    for _ in range(5):
        post("api", user.email, "wrong-password", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert post("api", user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 429
    assert post("api", user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy).status_code == 200


def test_the_client_address_is_believed_only_from_a_trusted_proxy():
    nets = trusted_networks(["10.0.0.0/8", "192.0.2.1"])
    assert resolve_client_address("203.0.113.5", "1.2.3.4", nets) == "203.0.113.5"  # not a proxy: header ignored
    assert resolve_client_address("10.0.0.2", "1.2.3.4", nets) == "1.2.3.4"
    # a client's own claim sits left of what the proxies appended: the right-most untrusted hop is the client
    assert resolve_client_address("10.0.0.2", "6.6.6.6, 1.2.3.4, 192.0.2.1", nets) == "1.2.3.4"
    assert resolve_client_address("10.0.0.2", "not-an-address", nets) == "10.0.0.2"
    assert resolve_client_address("10.0.0.2", "", nets) == "10.0.0.2"
    assert resolve_client_address("10.0.0.2", "1.2.3.4", trusted_networks([])) == "10.0.0.2"
