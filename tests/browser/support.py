"""Helpers for the browser tests: logging in through the real pages, TOTP codes computed by allauth itself."""

from __future__ import annotations

import time
from dataclasses import dataclass

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import Page

from partnerhub.core.models import Membership, Partner, Tenant, User
from tests.factories import PASSWORD

# allauth accepts only the current period's code (MFA_TOTP_TOLERANCE is 0): never hand out one about to expire.
TOTP_SAFETY_SECONDS = 4


@dataclass
class Program:
    base_url: str
    tenant: Tenant
    manager: Membership
    partners: dict[str, Partner]

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/t/{self.tenant.slug}/{path}"


def activate_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_totp_code(secret: str) -> str:
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < TOTP_SAFETY_SECONDS:
        time.sleep(left + 0.2)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def submit_login(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign In").click()


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    submit_login(page, base_url, email, password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
