"""The real Flink job, as deployed: Kinesis source -> enrichment -> two Firehose sinks, on moto.

The job runs the way Managed Service for Apache Flink runs it (functions/flink/main.py with the
application's declared property groups and the connector jar), in its own virtualenv (.venv-flink:
PyFlink's protobuf pins clash with Pulumi's) and process group. Only what a local emulator needs is
added to the declared groups: moto's endpoint and its static credentials.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

from functions.contracts.flink_properties import (
    CONNECTOR_JAR_ENV,
    ENDPOINT_KEY,
    ENRICHED_SINK_GROUP,
    METERING_GROUP,
    REJECTED_SINK_GROUP,
    SOURCE_GROUP,
)
from functions.flink.checkpoints import LocalCheckpoints, latest_checkpoint
from local.errors import FlinkJobError
from local.paths import BUILD_DIR, PROJECT_ROOT
from local.services.moto_server import LOCAL_CREDENTIALS

FLINK_PYTHON = PROJECT_ROOT / ".venv-flink" / "bin" / "python"
# The job's jar (connectors and the SQL path's Java function); $FLINK_CONNECTOR_JAR names another build.
CONNECTOR_JAR = Path(os.environ.get(CONNECTOR_JAR_ENV) or BUILD_DIR / "flink" / "lib" / "flink-connectors.jar")
JOB_ENTRY = PROJECT_ROOT / "functions" / "flink" / "main.py"
SOURCE_AND_SINKS = (SOURCE_GROUP, ENRICHED_SINK_GROUP, REJECTED_SINK_GROUP, METERING_GROUP)


def local_property_groups(
    declared: dict[str, dict[str, str]], endpoint: str, overrides: dict[str, dict[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    """The declared groups, pointed at moto (endpoint, static credentials); `overrides`: settings a local run
    changes (the metering window: a run of minutes sees its windows close, the deployed hour would not)."""
    local = {
        ENDPOINT_KEY: endpoint,
        # Static credentials for moto, whatever the JVM's environment holds.
        "aws.credentials.provider": "BASIC",
        "aws.credentials.basic.accesskeyid": LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws.credentials.basic.secretkey": LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    return {
        group: {**properties, **(local if group in SOURCE_AND_SINKS else {}), **(overrides or {}).get(group, {})}
        for group, properties in declared.items()
    }


class FlinkJob:
    """The job running against moto until stop(); its output goes to the run directory's flink.log."""

    def __init__(
        self,
        declared: dict[str, dict[str, str]],
        endpoint: str,
        run_dir: Path,
        checkpoints: LocalCheckpoints | None = None,
        *,
        name: str = "flink",
        overrides: dict[str, dict[str, str]] | None = None,
    ):
        self.declared, self.endpoint, self.run_dir, self.name = declared, endpoint, run_dir, name
        self.overrides = overrides
        self.checkpoints = checkpoints  # None: the job's own default (no directory, nothing to resume)
        self.properties = run_dir / "application_properties.json"
        self.log_path = run_dir / f"{name}.log"
        self.log_dir = run_dir / f"{name}-logs"
        self.properties.write_text(json.dumps(local_property_groups(declared, endpoint, overrides), indent=2))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> FlinkJob:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for needed, how in ((FLINK_PYTHON, "make flink-venv"), (CONNECTOR_JAR, "make flink-jars")):
            if not needed.exists():
                raise FlinkJobError(f"{needed} is missing: run `{how}`")
        env = {
            **os.environ,
            "FLINK_APPLICATION_PROPERTIES": str(self.properties),
            CONNECTOR_JAR_ENV: str(CONNECTOR_JAR),
            # The JVM's own log (PyFlink's default is inside the virtualenv, shared by every run).
            "FLINK_LOG_DIR": str(self.log_dir),
            **(self.checkpoints.environment() if self.checkpoints else {}),
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(FLINK_PYTHON), str(JOB_ENTRY)],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # the Python driver and its JVM: one group, stopped together
            )
        return self

    def resumed(self) -> FlinkJob:
        """A new run of the same job from the newest complete checkpoint (what the service does after a crash)."""
        if self.checkpoints is None:
            raise FlinkJobError("the job keeps no checkpoints to resume from")
        latest = latest_checkpoint(self.checkpoints.directory)
        if latest is None:
            raise FlinkJobError(f"no complete checkpoint under {self.checkpoints.directory} to resume from")
        resume = replace(self.checkpoints, restore_from=latest)
        return FlinkJob(
            self.declared, self.endpoint, self.run_dir, resume, name=f"{self.name}-resumed", overrides=self.overrides
        ).start()

    def drain(self, timeout: float = 300) -> None:
        """End the run for good: stop with a savepoint after MAX_WATERMARK, so every open metering window is
        written and every sink commits (functions/flink/drain.py); wait for the job to finish."""
        if self.checkpoints is None:
            raise FlinkJobError("the job keeps no checkpoints: it cannot be drained (only stopped)")
        self.check_alive()
        self.checkpoints.drain_request.parent.mkdir(parents=True, exist_ok=True)
        self.checkpoints.drain_request.touch()
        assert self.process is not None
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise FlinkJobError(f"the Flink job did not drain in {timeout:.0f}s; see {self.log_path}") from error
        if self.process.returncode != 0:
            raise FlinkJobError(f"the Flink job failed while draining ({self.process.returncode}); see {self.log_path}")

    def kill(self) -> None:
        """A crash: the job's processes die at once, with no chance to flush or cancel."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise FlinkJobError(
                f"the Flink job exited ({self.process.returncode}); see {self.log_path} and {self.log_dir}"
            )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
