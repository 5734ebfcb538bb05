"""Tenant table schemas as data: one definition for Pulumi's Keyspaces tables and the DAL's CQL."""
