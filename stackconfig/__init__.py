"""The stack-config contract of DESIGN.md: loading, validation and quotas, as pure functions."""
