"""Tier policy: what each tenant tier gets, and how tenants resolve to a plan."""
