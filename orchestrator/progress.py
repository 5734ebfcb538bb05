"""What `up` and `preview` show while they run, on stderr: a progress bar per stack (resources done out of those
expected), with its state; and once every stack is done, the summary table (on stdout)."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from orchestrator.results import StackResult

OUTCOME_STYLE = {
    "deployed": "green",
    "unchanged": "dim",
    "previewed": "cyan",
    "not created": "yellow",
    "failed": "bold red",
    "blocked": "red",
}


class StackProgress:
    """One bar per stack, safe to update from the threads that deploy them (rich's Progress locks)."""

    def __init__(self, console: Console):
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> StackProgress:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.stop()

    def add(self, stack: str, total: int | None) -> None:
        """A stack to come, expecting `total` resource operations (None: not known before it runs)."""
        self.tasks[stack] = self.progress.add_task(stack, total=total, start=False, state="waiting")

    def started(self, stack: str, state: str = "running") -> None:
        self.progress.start_task(self.tasks[stack])
        self.progress.update(self.tasks[stack], state=state)

    def advance(self, stack: str) -> None:
        """One resource operation of the stack done."""
        task = self.tasks[stack]
        self.progress.advance(task)
        total = self.progress.tasks[task].total
        if total is not None and self.progress.tasks[task].completed > total:
            self.progress.update(task, total=self.progress.tasks[task].completed)

    def finished(self, result: StackResult) -> None:
        task = self.tasks[result.stack]
        style = OUTCOME_STYLE[result.outcome]
        if result.ok:
            done = self.progress.tasks[task].completed
            self.progress.update(task, total=done or 1, completed=done or 1)
        self.progress.update(task, state=f"[{style}]{result.outcome}[/]")
        self.progress.stop_task(task)


def changes_text(changes: dict[str, int]) -> str:
    shown = {name: count for name, count in sorted(changes.items()) if count and name != "same"}
    text = ", ".join(f"{count} {name}" for name, count in shown.items())
    same = changes.get("same", 0)
    return ", ".join(part for part in (text, f"{same} same" if same else "") if part) or "-"


def summary_table(title: str, results: Sequence[StackResult]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("stack", "kind", "result", "changes", "seconds", "note"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for result in results:
        style = OUTCOME_STYLE[result.outcome]
        table.add_row(
            result.stack,
            result.kind,
            f"[{style}]{result.outcome}[/]",
            changes_text(result.changes),
            f"{result.seconds:.1f}",
            result.note or "",
        )
    return table
