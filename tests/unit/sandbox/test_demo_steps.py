"""The demo's step display: a long step shows how far it has got, and its outcome line keeps the count."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from local.sandbox.demo import Steps, records_written


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, force_terminal=False), out


def test_the_outcome_line_keeps_the_last_count() -> None:
    display, out = console()
    with Steps(display).step("Waiting for the Flink job") as step:
        progress = records_written(step)
        progress(3, 44)
        assert step.detail == "3/44 records through the job"
        progress(44, 44)
    assert "✓ Waiting for the Flink job (44/44 records through the job, " in out.getvalue()


def test_a_failed_step_shows_how_far_it_got() -> None:
    display, out = console()
    with pytest.raises(TimeoutError), Steps(display).step("Waiting for the Flink job") as step:
        records_written(step)(12, 44)
        raise TimeoutError
    assert "✗ Waiting for the Flink job (12/44 records through the job)" in out.getvalue()
