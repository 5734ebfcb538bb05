"""A stand-in for the migration job (`python -m functions.lifecycle.migrate`), which needs Cassandra: it takes the
job's arguments, reads the tenant's record from --directory as the job does, logs the state it ran for to
STANDIN_LOG ({"job": <tenant>, "state", "verified", "time"}) and writes the --result the job writes: the `verified`
digest for copying and cutover (the same one each time, as the job's for rows that did not change).
STANDIN_JOB_FAILS=<state> makes it fail in that state."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from functions.lifecycle.migrate import MigrationResult, result_document


def main() -> int:
    parser = argparse.ArgumentParser()
    for option in ("--tenant", "--directory", "--result", "--stack", "--config-path", "--ledger"):
        parser.add_argument(option, required=option in ("--tenant", "--directory", "--result"))
    args, _ = parser.parse_known_args()
    record = json.loads(Path(args.directory).read_text())[args.tenant]
    migration = record["migration"]
    state = migration["state"]
    if os.environ.get("STANDIN_JOB_FAILS") == state:
        print(f"stand-in job: failing in state {state}", file=sys.stderr)
        return 1
    verified = None if state == "done" else hashlib.sha256(args.tenant.encode()).hexdigest()[:16]
    log = os.environ.get("STANDIN_LOG")
    if log:
        with Path(log).open("a") as file:
            entry = {"job": args.tenant, "state": state, "verified": migration.get("verified"), "time": time.time()}
            file.write(json.dumps(entry) + "\n")
    result = MigrationResult(args.tenant, state, digest=verified)
    Path(args.result).write_text(json.dumps(result_document(result)))
    print(f"stand-in job: tenant {args.tenant}, state {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
