"""django-axes on every login path: allauth, the Django admin and the API token endpoint each lock after 5 failures.

Every test starts with an empty cache (the autouse ``_fresh_cache`` fixture): rate limits of allauth and DRF live there.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "locked@example.test"
WRONG = "not-the-password"

# name: (url, login field, status of a successful login)
PATHS = {
    "allauth": ("/accounts/login/", "login", 302),
    "admin": ("/admin/login/", "username", 302),
    "api": ("/api/v1/auth/token/", "username", 200),
}
# pairs (where the failures happen, where the right password is then tried)
CROSS_PATHS = [("api", "allauth"), ("allauth", "admin"), ("admin", "api")]


@pytest.fixture
def staff_user(db):
    return UserFactory(email=EMAIL, is_staff=True)


def attempt(client, path, password, email=EMAIL):
    url, field, _ = PATHS[path]
    return client.post(url, {field: email, "password": password})


def fail(client, path, times, email=EMAIL):
    return [attempt(client, path, WRONG, email).status_code for _ in range(times)]


def signed_in(client):
    return client.session.get("_auth_user_id") is not None


@pytest.mark.parametrize("path", PATHS)
def test_the_right_password_still_works_after_four_failures(staff_user, path):
    client = Client()
    fail(client, path, 4)
    response = attempt(client, path, PASSWORD)
    assert response.status_code == PATHS[path][2]


@pytest.mark.parametrize("path", ["allauth", "admin"])
def test_the_right_password_signs_in_after_four_failures(staff_user, path):
    client = Client()
    fail(client, path, 4)
    attempt(client, path, PASSWORD)
    assert signed_in(client)


def test_the_api_hands_out_a_token_after_four_failures(staff_user):
    client = Client()
    fail(client, "api", 4)
    assert "token" in attempt(client, "api", PASSWORD).json()


@pytest.mark.parametrize("path", ["allauth", "admin"])
def test_the_fifth_failure_is_answered_with_the_lockout_page(staff_user, path):
    client = Client()
    statuses = fail(client, path, 4)
    response = attempt(client, path, WRONG)
    assert statuses == [400, 400, 400, 400]  # a refused form is bad input
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


@pytest.mark.parametrize("path", ["allauth", "admin"])
def test_after_five_failures_the_right_password_does_not_sign_in(staff_user, path):
    client = Client()
    fail(client, path, 5)
    attempt(client, path, PASSWORD)
    assert not signed_in(client)


@pytest.mark.parametrize("path", ["allauth", "admin"])
def test_after_five_failures_the_right_password_gets_the_429_lockout(staff_user, path):
    client = Client()
    fail(client, path, 5)
    response = attempt(client, path, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_after_five_failures_the_api_refuses_the_right_password_with_429_retry_after_and_no_token(staff_user):
    client = Client()
    statuses = fail(client, "api", 5)
    response = attempt(client, "api", PASSWORD)
    assert statuses == [400, 400, 400, 400, 429]  # the failure that locks the account says so
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "token" not in response.json()
    assert set(response.json()) == {"detail", "code", "extra"}
    assert response.json()["code"] == "locked_out"


@pytest.mark.parametrize("path", ["allauth", "admin"])
def test_the_html_lockout_also_sends_retry_after(staff_user, path):
    client = Client()
    fail(client, path, 5)
    assert int(attempt(client, path, PASSWORD)["Retry-After"]) == 15 * 60


def test_with_allauths_own_limit_off_axes_alone_locks_the_allauth_login(staff_user, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    client = Client()
    fail(client, "allauth", 5)
    response = attempt(client, "allauth", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize(("failed_on", "tried_on"), CROSS_PATHS)
def test_failures_on_one_path_lock_the_account_on_the_others(staff_user, failed_on, tried_on):
    client = Client()
    fail(client, failed_on, 5)
    response = attempt(client, tried_on, PASSWORD)
    assert response.status_code != PATHS[tried_on][2]
    assert response.status_code >= 400
    assert not signed_in(client)


@pytest.mark.parametrize("path", PATHS)
def test_failures_count_whatever_the_case_of_the_email(staff_user, path):
    client = Client()
    for variant in ("LOCKED@example.test", "Locked@Example.test", "locked@EXAMPLE.TEST", EMAIL, " locked@example.test"):
        attempt(client, path, WRONG, email=variant)
    response = attempt(client, path, PASSWORD)
    assert response.status_code != PATHS[path][2]
    assert not signed_in(client)


@pytest.mark.parametrize("path", PATHS)
def test_the_lock_holds_that_account_only(staff_user, path):
    UserFactory(email="bystander@example.test", is_staff=True)
    client = Client()
    fail(client, path, 5)
    response = attempt(client, path, PASSWORD, email="bystander@example.test")
    assert response.status_code == PATHS[path][2]


@pytest.mark.parametrize("path", PATHS)
def test_failures_for_an_account_that_does_not_exist_yet_still_lock_that_name(db, path):
    client = Client()
    fail(client, path, 5, email="nobody@example.test")
    UserFactory(email="nobody@example.test", is_staff=True)
    response = attempt(client, path, PASSWORD, email="nobody@example.test")
    assert response.status_code != PATHS[path][2]
    assert not signed_in(client)


@pytest.mark.parametrize(
    "path",
    [
        "allauth",
        "admin",
        "api",
    ],
)
def test_a_successful_login_clears_the_earlier_failures(staff_user, path):
    fail(Client(), path, 4)
    attempt(Client(), path, PASSWORD)
    client = Client()
    fail(client, path, 4)
    response = attempt(client, path, PASSWORD)
    assert response.status_code == PATHS[path][2]
