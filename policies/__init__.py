"""Pure IAM policy builders, one module per area; components only attach what these return."""
