"""A real IAM policy evaluator for the declared policies (conditions, `${aws:PrincipalTag/...}`, trust
policies), which moto does not evaluate: @cloud-copilot/iam-simulate on node (`make iam-evaluator`
installs it from local/iam/package-lock.json), and the tenant isolation matrix it judges."""
