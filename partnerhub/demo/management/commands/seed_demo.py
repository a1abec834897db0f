"""Seed the deterministic demo (idempotent) and print one login per role."""

from typing import Any

from django.core.management.base import BaseCommand

from partnerhub.demo.seed import DEMO_PASSWORD, SHARED_USER, seed_demo


class Command(BaseCommand):
    help = "Create the two demo partner programs, their people and partners. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ with:"))
        for program, by_role in logins.items():
            self.stdout.write(f"  {program}")
            for role, email in by_role.items():
                self.stdout.write(f"    {role:<10} {email}")
        self.stdout.write(f"  Member of both programs (tenant switcher): {SHARED_USER[0]}")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
