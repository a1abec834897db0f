"""Models arrive with their issue; tenant-owned ones inherit partnerhub.models.TenantOwnedModel."""
