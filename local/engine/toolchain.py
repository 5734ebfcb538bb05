"""The Pulumi CLI and Python language host, for machines without the Pulumi installer (`make engine`).

    python -m local.engine.toolchain build      # builds once into build/engine/<version>/bin (~6 min cold)
    python -m local.engine.toolchain which      # the `pulumi` the engine tests and benchmarks use

A user with the installer has `pulumi` on the PATH, and that one is used. Otherwise both binaries are built
from the Go module proxy: the CLI is `github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` built in a wrapper module
that requires `pkg/v3` and `sdk/v3` at one version and repeats pkg/v3's one non-relative `replace`; the
language host is local/engine/language_host/main.go built the same way; its exec shim, a script that ships in
sdk/v3's `python/cmd` folder, is copied beside it (the host runs the `pulumi-language-python-exec` next to its
own executable). Provider plugins are not built here: see README "Running on the real engine".
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from functions.contracts.cli import run_command
from local.errors import EXPECTED_FAILURES, LocalError
from local.paths import BUILD_DIR

PULUMI_VERSION = "3.274.1"  # the CLI; the Python SDK in requirements.txt may be older (the CLI is compatible)
ENGINE_DIR = BUILD_DIR / "engine"
LANGUAGE_HOST_SOURCE = Path(__file__).parent / "language_host" / "main.go"
# pkg/v3's go.mod replaces the clipboard module by a fork; a wrapper must repeat a dependency's replace.
CLIPBOARD_REPLACE = (
    "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
)
# The script the language host runs the program with, looked up beside the host's own executable.
EXEC_SHIM = "pulumi-language-python-exec"
VERSION_LDFLAG = "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v{version}"


class ToolchainError(LocalError, RuntimeError):
    """Go is missing, or a build failed: the message names the step and its log."""


@dataclass(frozen=True)
class Toolchain:
    """Where one version's binaries live once built."""

    version: str = PULUMI_VERSION
    root: Path = ENGINE_DIR

    @property
    def bin_dir(self) -> Path:
        return self.root / self.version / "bin"

    @property
    def cli(self) -> Path:
        return self.bin_dir / "pulumi"

    @property
    def language_host(self) -> Path:
        return self.bin_dir / "pulumi-language-python"

    @property
    def exec_shim(self) -> Path:
        return self.bin_dir / EXEC_SHIM

    @property
    def built(self) -> bool:
        return self.cli.is_file() and self.language_host.is_file() and self.exec_shim.is_file()

    def shim_source(self) -> Path:
        """sdk/v3's python/cmd/pulumi-language-python-exec, in the Go module cache (downloaded if it is not)."""
        module = f"github.com/pulumi/pulumi/sdk/v3@v{self.version}"
        shim = Path(_go("env", "GOMODCACHE").strip()) / module / "python" / "cmd" / EXEC_SHIM
        if not shim.is_file():
            _go("mod", "download", module)
        return shim

    def path_entries(self) -> list[str]:
        """What PATH needs for the engine to find the CLI, the language host and its exec shim."""
        return [str(self.bin_dir)]


def pulumi_on_path() -> str | None:
    return shutil.which("pulumi")


def available() -> bool:
    """Whether there is a CLI to run: a `pulumi` on the PATH or the one `make engine` built."""
    return pulumi_on_path() is not None or Toolchain().built


def locate() -> tuple[Path, list[str]]:
    """The CLI every engine command and test runs, and the PATH entries it needs: a `pulumi` on the PATH (the
    installer's, with its language hosts beside it), else the one `make engine` built."""
    if found := pulumi_on_path():
        return Path(found), []
    toolchain = Toolchain()
    if not toolchain.built:
        raise ToolchainError("no `pulumi` on the PATH and none built: run `make engine` (about 6 minutes once)")
    return toolchain.cli, toolchain.path_entries()


def wrapper_go_mod(module: str, version: str) -> str:
    return (
        f"module {module}\n\ngo 1.24\n\nrequire (\n"
        f"\tgithub.com/pulumi/pulumi/pkg/v3 v{version}\n\tgithub.com/pulumi/pulumi/sdk/v3 v{version}\n)\n\n"
        f"{CLIPBOARD_REPLACE}\n"
    )


def build(toolchain: Toolchain, log: Callable[[str], None] = print) -> Toolchain:
    """Build what is missing; a second run does nothing."""
    if toolchain.built:
        log(f"pulumi v{toolchain.version}: already built in {toolchain.bin_dir}")
        return toolchain
    if shutil.which("go") is None:
        raise ToolchainError("go is not on the PATH: the CLI is built from the Go module proxy")
    if toolchain.cli.is_file() and toolchain.language_host.is_file():
        install_shim(toolchain, log)  # built before the shim was copied beside the host
        return toolchain
    src = toolchain.root / "src" / toolchain.version
    toolchain.bin_dir.mkdir(parents=True, exist_ok=True)
    cli_dir = src / "cli"
    cli_dir.mkdir(parents=True, exist_ok=True)
    (cli_dir / "go.mod").write_text(wrapper_go_mod("tenant-pipeline/pulumi-cli", toolchain.version))
    (cli_dir / "tools.go").write_text(
        '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n'
    )
    host_dir = src / "language-host"
    host_dir.mkdir(parents=True, exist_ok=True)
    (host_dir / "go.mod").write_text(wrapper_go_mod("tenant-pipeline/pulumi-language-python", toolchain.version))
    shutil.copyfile(LANGUAGE_HOST_SOURCE, host_dir / "main.go")
    ldflags = VERSION_LDFLAG.format(version=toolchain.version)
    steps = [
        ("CLI modules", cli_dir, ["mod", "tidy"]),
        (
            "CLI",
            cli_dir,
            ["build", "-ldflags", ldflags, "-o", str(toolchain.cli), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"],
        ),
        ("language host modules", host_dir, ["mod", "tidy"]),
        ("language host", host_dir, ["build", "-ldflags", ldflags, "-o", str(toolchain.language_host), "."]),
    ]
    for title, directory, arguments in steps:
        started = time.monotonic()
        log(f"building: {title} (go {' '.join(arguments[:2])}) ...")
        _go(*arguments, cwd=directory, log_file=src / f"{title.replace(' ', '-')}.log")
        log(f"built: {title} in {time.monotonic() - started:.0f}s")
    install_shim(toolchain, log)
    return toolchain


def install_shim(toolchain: Toolchain, log: Callable[[str], None]) -> None:
    # The module cache's copy is read-only: a copy of its bytes, made executable.
    toolchain.exec_shim.unlink(missing_ok=True)
    shutil.copyfile(toolchain.shim_source(), toolchain.exec_shim)
    toolchain.exec_shim.chmod(0o755)
    log(f"installed: {EXEC_SHIM} beside the language host")


def _go(*arguments: str, cwd: Path | None = None, log_file: Path | None = None) -> str:
    env = {**os.environ, "GOFLAGS": os.environ.get("GOFLAGS", "-buildvcs=false")}
    result = subprocess.run(["go", *arguments], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if log_file is not None:
        log_file.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        where = f" (log: {log_file})" if log_file else ""
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise ToolchainError(f"go {' '.join(arguments[:2])} failed{where}:\n{tail}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.engine.toolchain", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("build", "which"))
    args = parser.parse_args(argv)
    if args.command == "which":
        print(pulumi_on_path() or (Toolchain().cli if Toolchain().built else "none: run `make engine`"))
        return 0
    if found := pulumi_on_path():
        print(f"using the Pulumi CLI on the PATH: {found}")
        return 0
    build(Toolchain())
    return 0


if __name__ == "__main__":
    run_command(main, EXPECTED_FAILURES)
