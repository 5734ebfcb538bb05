"""Apache Cassandra 5.0 on loopback: installed from Maven Central, one node, started and stopped here.

    python -m local.services.cassandra install          # build/cassandra/lib (cached by the pom's hash)
    python -m local.services.cassandra start [--dir D]  # start, wait until CQL answers, print host:port
    python -m local.services.cassandra stop [--dir D]   # stop the node started with the same --dir

In Python:

    with CassandraNode(run_dir) as node:       # free loopback ports; installs first if needed
        with node.cql() as session:            # an operator's plain session
            bootstrap_keyspaces(session, [...])   # functions.dal.bootstrap
        TenantDataAccess.local(directory, node.native_port)

The node runs in a process group of its own, so stop() leaves no strays. Its data, config and logs
live under the run directory (default .run/cassandra).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from functions.contracts.cli import run_command
from local.errors import EXPECTED_FAILURES, CassandraError
from local.paths import BUILD_DIR, RUN_DIR
from local.services.ports import LOOPBACK, free_port, wait_for_port

POM = Path(__file__).resolve().parent / "cassandra" / "pom.xml"
INSTALL_DIR = BUILD_DIR / "cassandra"
DEFAULT_RUN_DIR = RUN_DIR / "cassandra"
SUPPORTED_JAVA = (17, 11)  # Cassandra 5.0 runs on Java 11 and 17; newer JDKs are refused at startup
# The machine is small and shared (other JVMs, CI): keep the node small. CASSANDRA_HEAP overrides it.
HEAP = os.environ.get("CASSANDRA_HEAP", "512M")
STARTUP_TIMEOUT = 180.0


# The JDK 17 module options Cassandra 5.0 needs (its conf/jvm17-server.options), and its general JVM flags.
JDK17_MODULE_OPTIONS = [
    "-Djdk.attach.allowAttachSelf=true",
    *(
        f"--add-exports={target}=ALL-UNNAMED"
        for target in (
            "java.base/jdk.internal.misc",
            "java.management.rmi/com.sun.jmx.remote.internal.rmi",
            "java.rmi/sun.rmi.registry",
            "java.rmi/sun.rmi.server",
            "java.sql/java.sql",
            "java.base/java.lang.ref",
            "jdk.unsupported/sun.misc",
            "jdk.compiler/com.sun.tools.javac.file",
            "jdk.attach/sun.tools.attach",
        )
    ),
    *(
        f"--add-opens={target}=ALL-UNNAMED"
        for target in (
            "java.base/java.lang.module",
            "java.base/jdk.internal.loader",
            "java.base/jdk.internal.ref",
            "java.base/jdk.internal.reflect",
            "java.base/jdk.internal.math",
            "java.base/jdk.internal.module",
            "java.base/jdk.internal.util.jar",
            "jdk.management/com.sun.management.internal",
            "java.base/sun.nio.ch",
            "java.base/java.io",
            "java.base/java.lang.reflect",
            "jdk.compiler/com.sun.tools.javac",
            "java.base/java.lang",
            "java.base/java.util",
        )
    ),
    "-Dio.netty.tryReflectionSetAccessible=true",
]

JVM_OPTIONS = [
    "-ea",
    "-da:net.openhft...",
    "-Xss256k",
    f"-Xms{HEAP}",
    f"-Xmx{HEAP}",
    "-XX:+UseG1GC",
    "-XX:+ParallelRefProcEnabled",
    "-XX:MaxTenuringThreshold=1",
    "-XX:+HeapDumpOnOutOfMemoryError",
    "-XX:+PerfDisableSharedMem",
    "-XX:ActiveProcessorCount=2",
    "-Djava.net.preferIPv4Stack=true",
]


# ----------------------------------------------------------------------------------------------- install
def pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def install(install_dir: Path = INSTALL_DIR, quiet: bool = True) -> Path:
    """Copy cassandra-all and its runtime dependencies into install_dir/lib; cached by the pom's hash."""
    lib = install_dir / "lib"
    stamp = install_dir / ".installed"
    if stamp.exists() and stamp.read_text().strip() == pom_digest() and any(lib.glob("cassandra-all-*.jar")):
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise CassandraError("Maven (`mvn`) is not on PATH: it installs Cassandra from Maven Central")
    shutil.rmtree(lib, ignore_errors=True)
    lib.mkdir(parents=True)
    command = [
        mvn,
        "-B",
        *(["-q"] if quiet else []),
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={lib}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CassandraError(f"mvn could not install Cassandra:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    if not any(lib.glob("cassandra-all-*.jar")):
        raise CassandraError(f"mvn ran but {lib} holds no cassandra-all jar")
    stamp.write_text(pom_digest() + "\n")
    return lib


# ------------------------------------------------------------------------------------------------- java
def java_major(java: str) -> int:
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr)
    if not match:
        raise CassandraError(f"cannot tell the version of {java}: {result.stderr.strip()}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str:
    """A Java that Cassandra 5.0 runs on: $CASSANDRA_JAVA_HOME, then JDKs under /usr/lib/jvm, then PATH."""
    candidates: list[str] = []
    if home := os.environ.get("CASSANDRA_JAVA_HOME"):
        candidates.append(str(Path(home) / "bin" / "java"))
    for version in SUPPORTED_JAVA:
        candidates += sorted(str(p / "bin" / "java") for p in Path("/usr/lib/jvm").glob(f"*-{version}-*"))
    if on_path := shutil.which("java"):
        candidates.append(on_path)
    for java in candidates:
        if Path(java).exists() and java_major(java) in SUPPORTED_JAVA:
            return java
    raise CassandraError(
        f"no Java {' or '.join(map(str, SUPPORTED_JAVA))} found (set CASSANDRA_JAVA_HOME); tried {candidates}"
    )


# ------------------------------------------------------------------------------------------------ config
@dataclass(frozen=True)
class NodePorts:
    native: int
    storage: int

    @staticmethod
    def free() -> NodePorts:
        return NodePorts(native=free_port(), storage=free_port())


def cassandra_yaml(run_dir: Path, ports: NodePorts) -> str:
    """A single-node config on loopback: no JMX, no auth, small caches, data under run_dir."""
    data = run_dir / "data"
    config = {
        "cluster_name": "tenant-pipeline-local",
        "num_tokens": 1,
        "initial_token": 0,
        "partitioner": "org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch": "SimpleSnitch",
        "listen_address": LOOPBACK,
        "rpc_address": LOOPBACK,
        "storage_port": ports.storage,
        "native_transport_port": ports.native,
        "start_native_transport": True,
        "seed_provider": [
            {
                "class_name": "org.apache.cassandra.locator.SimpleSeedProvider",
                "parameters": [{"seeds": f"{LOOPBACK}:{ports.storage}"}],
            }
        ],
        "data_file_directories": [str(data / "data")],
        "commitlog_directory": str(data / "commitlog"),
        "saved_caches_directory": str(data / "saved_caches"),
        "hints_directory": str(data / "hints"),
        "cdc_raw_directory": str(data / "cdc_raw"),
        "commitlog_sync": "periodic",
        "commitlog_sync_period": "10000ms",
        "authenticator": "AllowAllAuthenticator",
        "authorizer": "AllowAllAuthorizer",
        "concurrent_reads": 8,
        "concurrent_writes": 8,
        "concurrent_compactors": 1,
        "key_cache_size": "16MiB",
        "memtable_heap_space": "64MiB",
        "memtable_offheap_space": "64MiB",
        "dynamic_snitch": False,
        "auto_snapshot": False,  # tests drop and recreate tables; snapshots would only fill the disk
    }
    # JSON is YAML: no YAML library needed in the runtime venv.
    return json.dumps(config, indent=2) + "\n"


LOGBACK_XML = """<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${cassandra.logdir}/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
  <logger name="org.apache.cassandra" level="INFO"/>
</configuration>
"""


# -------------------------------------------------------------------------------------------------- node
class CassandraNode:
    """One local Cassandra node: start() returns once CQL answers, stop() ends its process group."""

    def __init__(self, run_dir: Path = DEFAULT_RUN_DIR, ports: NodePorts | None = None, fresh: bool = True):
        self.run_dir = run_dir.resolve()  # the JVM gets absolute paths and file:// URIs
        self.ports = ports or NodePorts.free()
        self.fresh = fresh  # wipe the data directory on the first start
        self.host = LOOPBACK
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def native_port(self) -> int:
        return self.ports.native

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "cassandra.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "logs" / "system.log"

    def command(self, lib: Path, java: str) -> list[str]:
        conf = self.run_dir / "conf"
        jamm = next(lib.glob("jamm-*.jar"), None)
        return [
            java,
            *JVM_OPTIONS,
            *(JDK17_MODULE_OPTIONS if java_major(java) >= 17 else []),
            *([f"-javaagent:{jamm}"] if jamm else []),
            f"-Dcassandra.config=file://{conf / 'cassandra.yaml'}",
            f"-Dlogback.configurationFile={conf / 'logback.xml'}",
            f"-Dcassandra.logdir={self.run_dir / 'logs'}",
            f"-Dcassandra.storagedir={self.run_dir / 'data'}",
            "-Dcassandra-foreground=yes",
            # One node on loopback: nothing to gossip with, so do not wait for gossip to settle.
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Dcassandra.ring_delay_ms=1000",
            "-cp",
            f"{conf}:{lib}/*",
            "org.apache.cassandra.service.CassandraDaemon",
        ]

    def start(self) -> CassandraNode:
        lib = install()
        java = find_java()
        if self.fresh:
            shutil.rmtree(self.run_dir / "data", ignore_errors=True)
            self.fresh = False
        conf = self.run_dir / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        (conf / "cassandra.yaml").write_text(cassandra_yaml(self.run_dir, self.ports))
        (conf / "logback.xml").write_text(LOGBACK_XML)
        output = (self.run_dir / "logs" / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            self.command(lib, java),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() leaves no strays
        )
        output.close()
        self.pid_file.write_text(f"{self.process.pid}\n{self.ports.native}\n{self.ports.storage}\n")
        try:
            self.wait_until_ready(STARTUP_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_ready(self, timeout: float) -> None:
        """Return once a CQL query answers; raise naming the log when the node dies or never answers."""
        process = self.process
        assert process is not None
        deadline = time.monotonic() + timeout
        try:
            wait_for_port(self.native_port, timeout=timeout, alive=lambda: process.poll() is None)
        except (TimeoutError, RuntimeError) as error:
            message = f"Cassandra did not open CQL on {self.native_port}: {error}; see {self.log_file}"
            raise CassandraError(message) from error
        from cassandra.cluster import Cluster

        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CassandraError(f"Cassandra exited with {process.returncode}; see {self.log_file}")
            cluster = Cluster([self.host], port=self.native_port, connect_timeout=5)
            try:
                session = cluster.connect()
                session.execute("SELECT release_version FROM system.local", timeout=5)
                return
            except Exception as error:
                last_error = error
                time.sleep(0.5)
            finally:
                cluster.shutdown()
        raise CassandraError(f"Cassandra did not answer CQL within {timeout:.0f}s ({last_error}); see {self.log_file}")

    def stop(self) -> None:
        process = self.process
        self.process = None
        if process is not None and process.poll() is None:
            stop_group(process.pid, wait=process.wait)
        self.pid_file.unlink(missing_ok=True)

    @contextmanager
    def cql(self) -> Iterator[Any]:
        """A plain driver Session on this node, for an operator (schema bootstrap, row counts); closed after."""
        from cassandra.cluster import Cluster

        cluster = Cluster([self.host], port=self.native_port, connect_timeout=10)
        try:
            yield cluster.connect()
        finally:
            cluster.shutdown()

    def restart(self) -> None:
        """Stop and start again on the same ports, keeping the data."""
        self.stop()
        self.start()

    def __enter__(self) -> CassandraNode:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def stop_group(pid: int, wait: object, timeout: float = 30.0) -> None:
    """SIGTERM the process group `pid` leads (Cassandra flushes and exits), SIGKILL it if it lingers."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(wait):
            try:
                wait(timeout=0.5)
                return
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if callable(wait):
        wait()


# --------------------------------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.services.cassandra", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["install", "start", "stop"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_RUN_DIR, help="run directory (data, config, logs)")
    args = parser.parse_args(argv)
    if args.action == "install":
        print(install(quiet=False))
    elif args.action == "start":
        node = CassandraNode(args.dir)
        node.start()
        node.process = None  # leave it running; `stop` finds it by its pid file
        print(f"{node.host}:{node.native_port}")
    else:
        stop_from_pid_file(args.dir / "cassandra.pid")
    return 0


def stop_from_pid_file(pid_file: Path) -> None:
    if not pid_file.exists():
        raise CassandraError(f"no Cassandra started from {pid_file.parent} ({pid_file} is missing)")
    pid = int(pid_file.read_text().split()[0])
    stop_group(pid, wait=None)
    pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    run_command(main, EXPECTED_FAILURES)
