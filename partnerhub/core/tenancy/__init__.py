"""Fail-closed tenancy: the active-tenant context, the scoped manager and row-level security.

The only places allowed to use ``Model.unscoped`` or ``dangerously_*`` helpers are this package,
migrations, admin and management commands (checked by ``make lint``).
"""
