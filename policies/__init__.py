"""IAM policy documents as plain data: one module per area, each builder a pure function of ARNs."""
