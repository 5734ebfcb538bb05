"""What each tenant's storage looks like, as plain data: capacity, offboarding, the tenant directory."""
