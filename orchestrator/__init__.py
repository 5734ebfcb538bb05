"""`tenant-pipeline`: the command that plans, deploys and changes an environment (its platform stack and tenant
cells) on the real Pulumi engine, through the Automation API (README "Deploying an environment")."""
