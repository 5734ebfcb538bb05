"""Code the program deploys but does not build: the Makefile's package targets write it under build/.

The Pulumi engine reads (hashes, uploads) a FileArchive/FileAsset during `pulumi preview/up`; the
program only names the path. Under mocks (`make plan`, tests) nothing reads it, so a fresh clone
plans without building. A missing build is reported as a warning here, and a real deployment stops
on the engine's error naming the path.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

AUTHORIZER_BUILD = "build/authorizer"  # `make authorizer-package`
FLINK_ZIP = "build/flink/tenant-pipeline-flink.zip"  # `make flink-package`


def _warn_if_missing(relative: str, make_target: str) -> None:
    # The engine resolves these paths from the project directory (where Pulumi.yaml is).
    if not (Path(pulumi.get_root_directory() or ".") / relative).exists():
        pulumi.log.warn(f"{relative} is not built: run `make {make_target}` before `pulumi up`")


def authorizer_code() -> pulumi.Archive:
    _warn_if_missing(AUTHORIZER_BUILD, "authorizer-package")
    return pulumi.FileArchive(AUTHORIZER_BUILD)


def flink_code() -> pulumi.Asset:
    _warn_if_missing(FLINK_ZIP, "flink-package")
    return pulumi.FileAsset(FLINK_ZIP)
