"""Setup benchmark: what a fresh clone's `make plan` spends installing, uv from the lock against pip.

    python3 -m bench.install            # clones HEAD into a temp dir per run; prints a Markdown table

Runs, in one go, each in a fresh clone of the committed HEAD with its own empty caches unless said:
- `make venv` with uv (pinned, bootstrapped into build/uv) from requirements-dev.lock: cold (empty uv and
  pip caches), then warm (a second fresh clone sharing the first run's caches);
- `make plan` in the warm clone, once its venv is there: the plan itself, without installs;
- the former setup, `python3.11 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt`: cold
  (empty pip cache), then warm (the same pip cache).
`make venv` is all the installing `make plan` does: tool check, uv bootstrap, venv, `uv pip sync`.
Standard library only: it runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return elapsed


def clone(work: Path, name: str) -> Path:
    target = work / name
    subprocess.run(["git", "clone", "--quiet", str(PROJECT_ROOT), str(target)], check=True)
    return target


def count_packages(venv: Path) -> int:
    return len(list(venv.glob("lib/python3.*/site-packages/*.dist-info")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default="python3.11", help="the interpreter of the pip baseline")
    parser.add_argument("--no-pip", action="store_true", help="skip the pip baseline (about a minute and a half)")
    args = parser.parse_args()
    rows: list[tuple[str, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        work = Path(tmp)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_CACHE", "VIRTUAL_ENV"))}
        uv_env = {**base, "UV_CACHE_DIR": str(work / "uv-cache"), "PIP_CACHE_DIR": str(work / "pip-cache-uv")}
        for label in ("uv, cold caches", "uv, warm caches"):
            repo = clone(work, label.replace(", ", "-").replace(" ", "-"))
            rows.append(
                (f"`make venv` ({label})", timed(["make", "venv"], repo, uv_env), count_packages(repo / ".venv"))
            )
        rows.append(("`make plan` once .venv is there (no installs)", timed(["make", "plan"], repo, uv_env), 0))
        if not args.no_pip:
            pip_env = {**base, "PIP_CACHE_DIR": str(work / "pip-cache")}
            for label in ("pip, cold cache", "pip, warm cache"):
                repo = clone(work, label.replace(", ", "-").replace(" ", "-"))
                seconds = timed([args.python, "-m", "venv", ".venv"], repo, pip_env)
                seconds += timed(
                    [
                        ".venv/bin/pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "-r",
                        "requirements-dev.txt",
                    ],
                    repo,
                    pip_env,
                )
                rows.append(
                    (f"venv + `pip install -r requirements-dev.txt` ({label})", seconds, count_packages(repo / ".venv"))
                )
        shutil.rmtree(work / "uv-cache", ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {sys.version.split()[0]}, 1-min load {load:.1f}\n")
    print("| run | seconds | packages in .venv |\n|---|---:|---:|")
    for label, seconds, packages in rows:
        print(f"| {label} | {seconds:.1f} | {packages or ''} |")
    by_label = {label: seconds for label, seconds, _ in rows}
    pip_cold = by_label.get("venv + `pip install -r requirements-dev.txt` (pip, cold cache)")
    if pip_cold:
        for label in ("uv, cold caches", "uv, warm caches"):
            print(f"\npip cold / {label}: {pip_cold / by_label[f'`make venv` ({label})']:.1f}x", end="")
        print()


if __name__ == "__main__":
    main()
