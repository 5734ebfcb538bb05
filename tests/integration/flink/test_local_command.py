"""`python -m functions.flink.local` ends an expected failure with its message alone (no traceback)."""

from __future__ import annotations

from pathlib import Path

from tests.support.commands import assert_fails_with_message_alone, run_command


def test_a_missing_input_file_is_named(tmp_path: Path) -> None:
    completed = run_command("functions.flink.local", str(tmp_path / "absent.ndjson"), str(tmp_path / "out"))
    assert_fails_with_message_alone(completed, f"no input file {tmp_path / 'absent.ndjson'}")
    assert completed.returncode == 2
