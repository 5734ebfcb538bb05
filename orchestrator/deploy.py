"""Deploying an environment's stacks on the engine: open them (creating any that does not exist yet, with its
settings file), then `pulumi up` each in deploy order (orchestrator/schedule.py), at most `parallel` at once, with
a progress bar each. A cell already deployed as it is now is not run again (orchestrator/fingerprint.py); the
platform always is when `up` asks for it: its inputs include build artifacts (the authorizer's and the Flink job's
packages) that only its own run reads, and it holds no tenant's resources, so its no-change update stays small.
Each update's message records the stack's fingerprint."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi import automation as auto
from rich.console import Console

from local.stack_file import read_stack_config, stack_file
from orchestrator.errors import OrchestratorError
from orchestrator.fingerprint import cell_fingerprint, deployed_fingerprint, program_digest, update_message
from orchestrator.progress import StackProgress
from orchestrator.results import StackResult
from orchestrator.schedule import Job, chain_jobs, deploy_jobs, run_jobs
from orchestrator.stacks import REGION_KEY, Environment, StackSpec
from orchestrator.workspace import Workspace, cli_error

DEFAULT_PARALLEL = 2  # cells deployed at once: each `pulumi up` keeps a core busy running its program


class Deployer:
    def __init__(
        self,
        environment: Environment,
        workspace: Workspace,
        *,
        parallel: int = DEFAULT_PARALLEL,
        force: bool = False,
        console: Console | None = None,
    ):
        if parallel < 1:
            raise OrchestratorError(f"--parallel must be at least 1, got {parallel}")
        self.environment = environment
        self.workspace = workspace
        self.parallel = parallel
        self.force = force  # run every cell, deployed as it is or not
        self.console = console or Console(stderr=True)
        self.program = program_digest(environment.project_dir)
        self.opened: dict[str, auto.Stack] = {}
        self._settled: set[str] = set()  # cells whose settings file holds their region (written when they open)
        self.resources: dict[str, int | None] = {}  # resources each stack held when opened (None: a new stack)
        self._outputs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        # The platform's declaration under mocks (fingerprint.declaration_digest), recorded by its deploy.
        self.platform_fingerprint: str | None = None

    # --- opening -------------------------------------------------------------------------------------------------

    def with_reads(self, stacks: Sequence[StackSpec]) -> list[StackSpec]:
        """`stacks` and the cells theirs read (the cells their tenants move between), in environment order."""
        loads = self.environment.config.cell_loads
        wanted = {spec.name for spec in stacks}
        wanted |= {
            self.environment.cell(other).name
            for spec in stacks
            if spec.cell is not None and spec.cell in loads
            for other in loads[spec.cell].other_cells
        }
        ordered = [spec for spec in self.environment.stacks() if spec.name in wanted]
        return ordered + [spec for spec in stacks if spec not in ordered]

    def open(self, stacks: Sequence[StackSpec], create: bool = True) -> list[StackSpec]:
        """Open `stacks` and those they read, before anything deploys (a cell's program reads the stacks of the cells
        its tenants move between, which must exist). With `create`, the missing ones are created and every cell's
        settings file given its region; without, nothing is written, and the missing ones are returned."""
        known = self.workspace.existing()
        missing = []
        for spec in self.with_reads(stacks):
            if spec.name not in self.opened:
                new = spec.name not in known
                if new and not create:
                    missing.append(spec)
                    continue
                self.opened[spec.name] = self.workspace.open(spec.name, create=new)
                self.resources[spec.name] = None if new else known[spec.name]
            if create and spec.kind == "cell" and spec.name not in self._settled:
                self._cell_settings(self.opened[spec.name], spec)
                self._settled.add(spec.name)
        return missing

    def _cell_settings(self, stack: auto.Stack, spec: StackSpec) -> None:
        """A cell's own settings file holds its region, its environment's (the program reads the rest from the
        environment's file)."""
        path = stack_file(spec.name, self.environment.project_dir)
        region = read_stack_config(spec.name, self.environment.project_dir).get(REGION_KEY) if path.is_file() else None
        if region is None:
            self.workspace.set_config(stack, REGION_KEY, self.environment.region)
        elif region != self.environment.region:
            raise OrchestratorError(
                f"{path.name} sets {REGION_KEY} {region}, but {self.environment.settings_file.name} sets "
                f"{self.environment.region}: a cell is in its environment's region"
            )

    # --- outputs a cell reads --------------------------------------------------------------------------------------

    def outputs(self, stack: str) -> dict[str, Any]:
        """A stack's outputs as deployed (read once; replaced by a deploy of this run)."""
        with self._lock:
            if stack in self._outputs:
                return self._outputs[stack]
        outputs = self.workspace.outputs(stack) if stack in self.opened else {}
        with self._lock:
            return self._outputs.setdefault(stack, outputs)

    def _deployed(self, stack: str, outputs: dict[str, Any]) -> None:
        with self._lock:
            self._outputs[stack] = outputs

    def fingerprint(self, spec: StackSpec) -> str:
        assert spec.cell is not None
        load = self.environment.config.cell_loads.get(spec.cell)
        others = [] if load is None else [self.environment.cell(other).name for other in load.other_cells]
        path = stack_file(spec.name, self.environment.project_dir)
        return cell_fingerprint(
            self.environment,
            spec.cell,
            program=self.program,
            engine=self.workspace.engine_version,
            own_settings=read_stack_config(spec.name, self.environment.project_dir) if path.is_file() else {},
            reads={stack: self.outputs(stack) for stack in [self.environment.platform.name, *others]},
        )

    def platform_deployed_as_declared(self) -> bool:
        """Whether the platform's last update succeeded with the declaration it has now (platform_fingerprint)."""
        stack = self.opened.get(self.environment.platform.name)
        if stack is None or self.platform_fingerprint is None:
            return False
        return deployed_fingerprint(self.workspace.last_update(stack)) == self.platform_fingerprint

    # --- deploying -----------------------------------------------------------------------------------------------

    def up(self, stacks: Sequence[StackSpec], *, chain: bool = False) -> list[StackResult]:
        """Deploy `stacks` (opened or created first) in deploy order, or with `chain` one after the other in the
        order given, each once the one before succeeded; every stack gets a result, none raises."""
        self.open(stacks)
        if chain:
            return self._run(stacks, chain_jobs(stacks), self._up, 1)
        return self._run(stacks, deploy_jobs(self.environment, stacks), self._up, self.parallel)

    def preview(self, stacks: Sequence[StackSpec]) -> list[StackResult]:
        """`pulumi preview` of each existing stack (against the outputs deployed now); a stack not created yet is
        reported as such (its every resource is to be created)."""
        missing = {spec.name for spec in self.open(stacks, create=False)}
        jobs = [Job(spec.name) for spec in stacks]

        def preview(spec: StackSpec, progress: StackProgress) -> StackResult:
            if spec.name in missing:
                return StackResult(spec.name, spec.kind, "not created", note="`up` creates it")
            return self._preview(spec, progress)

        return self._run(stacks, jobs, preview, self.parallel)

    def _run(
        self,
        stacks: Sequence[StackSpec],
        jobs: Sequence[Job],
        run: Callable[[StackSpec, StackProgress], StackResult],
        parallel: int,
    ) -> list[StackResult]:
        specs = {spec.name: spec for spec in stacks}
        with StackProgress(self.console) as progress:
            for spec in stacks:
                progress.add(spec.name, self._expected(spec))

            def one(name: str) -> StackResult:
                progress.started(name)
                result = run(specs[name], progress)
                progress.finished(result)
                return result

            def blocked(name: str, failed: list[str]) -> StackResult:
                result = StackResult(name, specs[name].kind, "blocked", note=f"not run: {', '.join(failed)} failed")
                progress.finished(result)
                return result

            results = run_jobs(jobs, parallel, one, lambda result: result.ok, blocked)
        return list(results.values())

    def _expected(self, spec: StackSpec) -> int | None:
        """Resource operations to expect: a cell declares what tiers/cells.py counts (and the stack itself); a stack
        deployed before, what it holds; else unknown."""
        loads = self.environment.config.cell_loads
        if spec.cell is not None and spec.cell in loads:
            return loads[spec.cell].resources + 1
        return self.resources.get(spec.name)

    def _up(self, spec: StackSpec, progress: StackProgress) -> StackResult:
        started = time.monotonic()
        stack = self.opened[spec.name]
        message = update_message(self.platform_fingerprint or "platform")
        if spec.kind == "cell":
            fingerprint = self.fingerprint(spec)
            message = update_message(fingerprint)
            if not self.force and deployed_fingerprint(self.workspace.last_update(stack)) == fingerprint:
                return StackResult(
                    spec.name,
                    spec.kind,
                    "unchanged",
                    seconds=time.monotonic() - started,
                    note="deployed as it is: same program, settings and outputs read",
                )
        errors: list[str] = []
        try:
            result = stack.up(
                message=message, color="never", on_event=self._on_event(spec.name, progress, errors), show_secrets=False
            )
        except auto.errors.CommandError as error:
            return StackResult(
                spec.name, spec.kind, "failed", seconds=time.monotonic() - started, note=_failure(errors, error)
            )
        outputs = {name: output.value for name, output in result.outputs.items()}
        self._deployed(spec.name, outputs)
        return StackResult(
            spec.name,
            spec.kind,
            "deployed",
            changes=_operations(result.summary.resource_changes),
            seconds=time.monotonic() - started,
            outputs=outputs,
        )

    def _preview(self, spec: StackSpec, progress: StackProgress) -> StackResult:
        started = time.monotonic()
        errors: list[str] = []
        try:
            result = self.opened[spec.name].preview(color="never", on_event=self._on_event(spec.name, progress, errors))
        except auto.errors.CommandError as error:
            return StackResult(
                spec.name, spec.kind, "failed", seconds=time.monotonic() - started, note=_failure(errors, error)
            )
        return StackResult(
            spec.name,
            spec.kind,
            "previewed",
            changes=_operations(result.change_summary),
            seconds=time.monotonic() - started,
        )

    @staticmethod
    def _on_event(stack: str, progress: StackProgress, errors: list[str]) -> Callable[[auto.EngineEvent], None]:
        def on_event(event: auto.EngineEvent) -> None:
            if event.res_outputs_event is not None:
                progress.advance(stack)
            diagnostic = event.diagnostic_event
            if diagnostic is not None and diagnostic.severity == "error":
                errors.append(diagnostic.message.strip())

        return on_event


def _operations(counts: Mapping[Any, int] | None) -> dict[str, int]:
    """Resource operations by name (the CLI's JSON gives names; the SDK types them as OpType)."""
    return {str(getattr(op, "value", op)): count for op, count in (counts or {}).items()}


def _failure(errors: list[str], error: Exception) -> str:
    """Why a stack failed: the engine's error diagnostics, else the CLI's own error lines."""
    return "; ".join(dict.fromkeys(line for line in errors if line)) or cli_error(error)
