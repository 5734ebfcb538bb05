"""tenant-pipeline: read the stack's config, declare the platform, export what its users need."""

from __future__ import annotations

import gc
from typing import Any

import pulumi

from components.platform import declare_platform
from tiers.errors import ConfigError
from tiers.load import CONFIG_KEYS, load_stack_config
from tiers.naming import PROJECT


def read_project_config() -> dict[str, Any]:
    """The project's settings, `tenant-pipeline:<key>` without the namespace."""
    project_config = pulumi.Config(PROJECT)
    raw = {key: project_config.get_object(key) for key in CONFIG_KEYS}
    return {key: value for key, value in raw.items() if value is not None}


def main() -> None:
    try:
        config = load_stack_config(
            read_project_config(), environment=pulumi.get_stack(), region=pulumi.Config("aws").require("region")
        )
    except ConfigError as error:
        # RunError ends the program cleanly, without a Python traceback, before any resource.
        raise pulumi.RunError(str(error)) from error
    for name, value in declare_platform(config).items():
        pulumi.export(name, value)


# Thousands of resources keep tens of thousands of Outputs and futures alive until the end, and
# CPython's default full collections rescan them again and again: half the CPU at 5,000 tenants,
# growing faster than the roster (bench/RESULTS.md). Little of it is cyclic garbage: collect rarely.
gc.set_threshold(50_000, 50, 1000)
main()
