"""Running the Pulumi program with no cloud account: under Pulumi mocks, recording what it declares."""
