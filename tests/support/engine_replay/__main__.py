"""Replay the shape of a stack's declaration (tests/support/replay.py) as component resources on the real engine.

The file named by TENANT_PIPELINE_REPLAY holds, per stack, its resources in registration order:
{"type", "name", "parent": <index or null>, "protect", "atRoot"}; `atRoot`: an alias to the stack's root.
"""

import json
import os
from pathlib import Path

import pulumi


class Replayed(pulumi.ComponentResource):
    def __init__(self, type_: str, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(type_, name, None, opts)
        self.register_outputs({})


shape = json.loads(Path(os.environ["TENANT_PIPELINE_REPLAY"]).read_text())[pulumi.get_stack()]
declared: list[Replayed] = []
for resource in shape:
    parent = None if resource["parent"] is None else declared[resource["parent"]]
    aliases = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)] if resource["atRoot"] else None
    options = pulumi.ResourceOptions(parent=parent, protect=resource["protect"], aliases=aliases)
    declared.append(Replayed(resource["type"], resource["name"], options))
pulumi.export("resources", len(declared))
