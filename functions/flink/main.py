"""Entry point on Managed Service for Apache Flink (run.options python=main.py, at the zip's root).

Locally: FLINK_APPLICATION_PROPERTIES=<json> FLINK_CONNECTOR_JAR=build/flink/lib/flink-connectors.jar
python functions/flink/main.py — runs until interrupted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# At the zip's root, `functions/` sits beside this file; in the repository it is two levels up.
_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE if (_HERE / "functions").is_dir() else _HERE.parent.parent))

from functions.contracts.flink_properties import CONNECTOR_JAR_ENV  # noqa: E402
from functions.flink.checkpoints import LocalCheckpoints  # noqa: E402
from functions.flink.drain import run_until_drained  # noqa: E402
from functions.flink.job import start_kinesis_job  # noqa: E402
from functions.flink.properties import properties_path, read_property_groups  # noqa: E402


def main() -> None:
    groups = read_property_groups(properties_path())
    jar = os.environ.get(CONNECTOR_JAR_ENV)
    if jar:  # not on the service: load the connectors and checkpoint as the service would
        # Outside the service, checkpoints may be kept in a directory and resumed from (functions/flink/checkpoints.py).
        checkpoints = LocalCheckpoints.from_environment(os.environ)
        result = start_kinesis_job(groups, [Path(jar)], checkpoint_interval_ms=60_000, checkpoints=checkpoints)
        if checkpoints is None:
            result.wait()
        else:  # runs until the sandbox asks for a drain (functions/flink/drain.py)
            run_until_drained(result, checkpoints)
    else:
        start_kinesis_job(groups)


if __name__ == "__main__":
    main()
