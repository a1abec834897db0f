"""``migrate`` as the owner role: the application role may not change the schema, so it never migrates."""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from partnerhub.core.db.roles import as_owner


class Command(DjangoMigrateCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        with as_owner(options.get("database") or "default"):
            super().handle(*args, **options)
