"""Running the real Pulumi CLI on this project with a local state backend and no Pulumi Cloud.

State goes to a file backend under build/engine/state, the CLI's home to build/engine/home, and secrets are
encrypted with a fixed local passphrase: nothing here is meant for a real account.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.engine.toolchain import ENGINE_DIR, ToolchainError, locate

LOCAL_PASSPHRASE = "tenant-pipeline-local"  # encrypts the local stacks' secrets; never a real stack's


@dataclass(frozen=True)
class PulumiCli:
    project_dir: Path
    state_dir: Path = ENGINE_DIR / "state"
    home_dir: Path = ENGINE_DIR / "home"

    def executable(self) -> tuple[str, list[str]]:
        """The CLI to run and the PATH entries it needs: the user's own, else the one `make engine` built."""
        cli, path_entries = locate()
        return str(cli), path_entries

    def environment(self, path_entries: list[str]) -> dict[str, str]:
        """The CLI's environment: `path_entries` (from executable()) first on the PATH, a local backend."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.home_dir.mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "PATH": os.pathsep.join([*path_entries, os.environ.get("PATH", "")]),
            "PULUMI_HOME": str(self.home_dir),
            "PULUMI_BACKEND_URL": self.state_dir.resolve().as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": LOCAL_PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }

    def run(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cli, path_entries = self.executable()
        result = subprocess.run(
            [cli, *arguments, "--non-interactive"],
            cwd=self.project_dir,
            env=self.environment(path_entries),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise ToolchainError(
                f"pulumi {' '.join(arguments)} failed:\n{result.stderr.strip() or result.stdout.strip()}"
            )
        return result

    def select_or_init(self, stack: str) -> None:
        if self.run("stack", "select", stack, check=False).returncode != 0:
            self.run("stack", "init", stack)

    def engine_config(self, stack: str) -> dict[str, str]:
        """The stack's config as the engine hands it to the program (PULUMI_CONFIG): key -> string value."""
        document: dict[str, Any] = json.loads(self.run("config", "--json", "--stack", stack).stdout)
        return {key: entry["value"] for key, entry in document.items() if "value" in entry}
