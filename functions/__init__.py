"""Runtime code: the authorizer Lambda, the PyFlink job, the tenant DAL. No Pulumi imports here."""
