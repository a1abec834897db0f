"""Models arrive with their issue; tenant-owned ones inherit partnerhub.core.models.TenantOwnedModel."""
