"""`tenant-pipeline up` and `preview`: every stack of an environment on the engine.

`up`: the platform first (the cells read its outputs through stack references), then the cells, at most
`--parallel` at once (orchestrator/deploy.py), a progress bar each and a summary. First the platform's program runs
under mocks (a refused config stops here: nothing created or deployed); then every stack that does not exist is
created, a cell's with its settings file, before anything deploys. A failed cell stops no other and undoes
nothing; the command then fails, naming it, and running it again resumes: cells deployed as they are now are
skipped. A cell stack the roster no longer names (its tenants' entries removed) is deployed too, which removes
what it declared of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from local.program import ProgramStopped, run_program
from orchestrator.errors import DeployFailedError, OrchestratorError
from orchestrator.fingerprint import declaration_digest
from orchestrator.progress import summary_table
from orchestrator.results import StackResult
from orchestrator.session import Session
from orchestrator.stacks import Environment, StackSpec, retired_cells


def every_stack(session: Session, environment: Environment) -> list[StackSpec]:
    return [*environment.stacks(), *retired_cells(environment, session.workspace().existing())]


def up(session: Session, environment: Environment) -> list[StackResult]:
    deployer = session.deployer(environment)
    stacks = every_stack(session, environment)
    deployer.open(stacks, create=False)  # nothing created or written before the platform's program accepts it
    platform = environment.platform.name
    try:
        declared = run_program(platform, environment.raw, stack_outputs={platform: deployer.outputs(platform)})
    except ProgramStopped as error:
        raise OrchestratorError(f"nothing deployed: stack {platform} refuses its config: {error}") from error
    deployer.platform_fingerprint = declaration_digest(declared)
    results = deployer.up(stacks)
    session.out.print(summary_table(f"tenant-pipeline up: environment {environment.name}", results))
    fail_on(results, f"the others are deployed: `tenant-pipeline up --env {environment.name}` again resumes")
    return results


def preview(session: Session, environment: Environment) -> list[StackResult]:
    results = session.deployer(environment).preview(every_stack(session, environment))
    session.out.print(summary_table(f"tenant-pipeline preview: environment {environment.name}", results))
    fail_on(results, "the others are previewed")
    return results


def fail_on(results: Sequence[StackResult], then: str) -> None:
    failed = [result for result in results if not result.ok]
    if failed:
        raise DeployFailedError(
            f"{len(failed)} of {len(results)} stacks did not succeed: "
            + "; ".join(f"{result.stack} {result.outcome}: {result.note}" for result in failed)
            + f"; {then}"
        )
