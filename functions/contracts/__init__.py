"""The contracts the Pulumi program and the runtime functions share, written once.

Standard library only: the authorizer Lambda, the Flink job's zip and any service that installs the DAL
carry this package beside their own code. The program declares what these say; the runtime reads it.
"""
