"""A lifecycle command's change: config edits, checked before anything is written, then written and deployed.

1. The edits applied in memory and the environment validated (orchestrator/config_edits.py): refused, nothing is
   written.
2. The program run under mocks (local/program.py) as the engine will run it, with the outputs deployed now: the
   platform, and each stack the change deploys, with the deployed records its tenants' steps are checked against
   (a refused step: nothing is written). A cell's program reads its environment's settings file: the edited
   settings go to a scratch copy.
3. The edits written with `pulumi config set --path` / `rm --path`, then the stacks deployed one after the other:
   the platform first if its declaration under mocks differs from the one it was last deployed with (e.g. one more
   enriched-events delivery stream when the served tenants cross a multiple of the Firehose quota, or a first
   deploy; orchestrator/fingerprint.py), then the cell holding the tenant's record, then the cell its move leaves
   (so the tenant is never in neither directory slice). A deploy that fails stops the rest; re-running the command
   resumes (its edits are already written, stacks deployed as they are are skipped).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from local.environment import cell_settings
from local.program import Declaration, ProgramStopped, run_program
from local.stack_file import stack_file
from orchestrator.config_edits import ConfigEdit, changed_environment, write_edits
from orchestrator.deploy import Deployer
from orchestrator.errors import ChangeRefusedError, DeployFailedError
from orchestrator.fingerprint import declaration_digest
from orchestrator.progress import summary_table
from orchestrator.results import StackResult
from orchestrator.session import Session
from orchestrator.stacks import Environment, StackSpec


@dataclass(frozen=True)
class Change:
    tenant: str
    summary: str  # what it does, one line: "onboard newco on basic, in cell basic-2"
    edits: tuple[ConfigEdit, ...]


def affected(before: Environment, after: Environment, tenant: str) -> list[StackSpec]:
    """The stacks that declare the tenant after the change (its record's first), then those that did before."""
    stacks: list[StackSpec] = []
    for environment in (after, before):
        spec = environment.tenant(tenant)
        stacks += [stack for stack in ([] if spec is None else environment.declaring(spec)) if stack not in stacks]
    return stacks


def _run(stack: str, config: Mapping[str, Any], reads: Mapping[str, Mapping[str, Any]]) -> Declaration:
    try:
        return run_program(stack, dict(config), stack_outputs=reads)
    except ProgramStopped as error:
        raise ChangeRefusedError(f"nothing written: stack {stack} would refuse the change: {error}") from error


def check(after: Environment, stacks: Sequence[StackSpec], deployed: Mapping[str, Mapping[str, Any]]) -> str:
    """Run the program under mocks for the platform and each of `stacks`, with the settings after the change and the
    outputs `deployed` now; ChangeRefusedError when a run refuses. The platform's fingerprint after the change."""
    platform = _run(after.name, after.raw, deployed)
    reads = {**deployed, after.name: platform.outputs}
    with tempfile.TemporaryDirectory(prefix="tenant-pipeline-") as scratch:
        root = Path(scratch)
        stack_file(after.name, root).write_text(yaml.safe_dump({"config": after.raw}, sort_keys=False))
        for spec in stacks:
            if spec.kind == "cell":
                _run(spec.name, cell_settings(after.name, after.raw, root), reads)
    return declaration_digest(platform)


def apply(session: Session, before: Environment, change: Change) -> Environment:
    """Check, write and deploy `change` (module docstring); the environment after it. ChangeRefusedError before
    anything is written; DeployFailedError when a deploy fails (the edits are written: a re-run resumes)."""
    after = changed_environment(before, change.edits) if change.edits else before
    stacks = affected(before, after, change.tenant)
    deployer = session.deployer(after)
    deployer.open([after.platform, *stacks], create=False)
    deployed = {stack: deployer.outputs(stack) for stack in deployer.opened}
    deployer.platform_fingerprint = check(after, stacks, deployed)
    if change.edits:
        deployer.open([after.platform])  # `pulumi config set` edits a stack's file: the platform's, created if new
        session.say(f"{change.summary}: writing {after.settings_file.name}")
        for edit in change.edits:
            session.say(f"  {edit}")
        write_edits(session.workspace(), before, change.edits)
    else:
        session.say(f"{change.summary}: {after.settings_file.name} says so already")
    platform = [] if deployer.platform_deployed_as_declared() else [after.platform]
    deploy(session, deployer, [*platform, *(spec for spec in stacks if spec != after.platform)])
    return after


def deploy(session: Session, deployer: Deployer, stacks: Sequence[StackSpec]) -> list[StackResult]:
    """Deploy `stacks` one after the other, each only once the one before succeeded."""
    if not stacks:
        return []
    results = deployer.up(stacks, chain=True)
    session.out.print(summary_table(f"Environment {deployer.environment.name}", results))
    failed = [result for result in results if not result.ok]
    if failed:
        raise DeployFailedError(
            "; ".join(f"{result.stack} {result.outcome}: {result.note}" for result in failed)
            + ". The config is written: run the same command again to resume"
        )
    return results
