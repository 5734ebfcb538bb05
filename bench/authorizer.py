"""Warm authorizer throughput and latency on one core, side by side with aws-jwt-verify (AWS's Node verifier).

Both verify the same Cognito-shaped ID tokens (RS256, 2048-bit key, one per user, many tenants) against the same
JWKS, with the same checks: signature, issuer, expiry, token_use, app client, tenant claims. The Python side is
measured twice: `verify` (TokenVerifier.verify, the like-for-like comparison) and `authorize` (the whole warm
request: event parsing, verification, the tenant's record from the directory, the tenant's API key, the Powertools
policy response). The secret is in memory (in Lambda, Powertools' parameter cache keeps SSM off the warm path); the
directory is the real cached reader within its max age (in Lambda, one LIST of its slices a minute). Each side runs
pinned to one CPU.
Throughput is given per wall-clock second and per CPU-second (the process's own CPU time: on a shared machine
the fairer of the two); the ratios are Python over aws-jwt-verify (for p50: aws-jwt-verify's p50 over ours).

    .venv/bin/python -m bench.authorizer [--iterations 5000] [--rounds 15] [--tokens 200] [--cpu 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cryptography
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKSet

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.config import load_config
from functions.authorizer.errors import RefusedError
from functions.authorizer.jwks import SigningKeys
from functions.authorizer.tokens import TokenVerifier
from functions.contracts.cells import PLATFORM_SLICE, slice_key
from functions.contracts.directory import TenantRecord, directory_document
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.contracts.tenant_id import TENANT_ID_REGEX
from functions.directory.reader import DirectoryReader
from tiers.defaults import DEFAULT_TIERS

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / ".out"
NODE_SCRIPT = BENCH_DIR / "aws_jwt_verify_bench.js"
REGION = "us-east-1"
POOL_ID = "us-east-1_BenchPool1"
CLIENT_IDS = ["4bench0client0web0000000001", "4bench0client0mobile000002"]
KID = "bench-key-1"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/events"
TENANTS = 50


@dataclass(frozen=True)
class Fixture:
    jwks: dict[str, Any]
    tokens: list[str]
    tampered: str


@dataclass(frozen=True)
class Result:
    name: str
    per_second: float
    per_cpu_second: float
    p50_micros: float
    p99_micros: float


def make_fixture(count: int) -> Fixture:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}
    issued = int(time.time())
    tokens = []
    for n in range(count):
        sub = str(uuid.uuid4())
        claims = {  # the claims of a Cognito ID token with the platform's custom attributes
            "sub": sub,
            "aud": CLIENT_IDS[n % len(CLIENT_IDS)],
            "email_verified": True,
            "event_id": str(uuid.uuid4()),
            "token_use": "id",
            "auth_time": issued,
            "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}",
            "cognito:username": f"user-{n}",
            "custom:tenantId": f"tenant-{n % TENANTS}",
            "custom:tier": tier_of(n % TENANTS),  # informational: the directory names the tier
            "exp": issued + 3600,
            "iat": issued,
            "jti": str(uuid.uuid4()),
            "email": f"user-{n}@example.com",
        }
        tokens.append(jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID}))
    header, payload, signature = tokens[0].split(".")
    tampered = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    return Fixture(jwks=jwks, tokens=tokens, tampered=tampered)


def tier_of(tenant: int) -> str:
    return "premium" if tenant % 5 == 0 else "basic"


def directory_bytes() -> bytes:
    """The published directory of the bench's tenants, as one slice (an environment without cells)."""
    records = []
    for n in range(TENANTS):
        tenant_id, tier = f"tenant-{n}", tier_of(n)
        keyspace = silo_keyspace(tenant_id) if tier == "premium" else POOLED_KEYSPACE
        role = f"arn:aws:iam::123456789012:role/tenant-pipeline/bench/tenants/{tenant_id}"
        records.append(TenantRecord(tenant_id, tier, "active", keyspace, tenant_s3_prefix(tenant_id), role))
    return json.dumps(directory_document(records)).encode()


class InMemorySlice:
    """One slice for the directory reader's first LIST and GET (the warm path never calls S3 again)."""

    KEY = slice_key(PLATFORM_SLICE)

    def __init__(self, body: bytes):
        self._body = body

    def list_objects_v2(self, **request: Any) -> dict[str, Any]:
        return {"Contents": [{"Key": self.KEY, "ETag": '"bench"'}], "IsTruncated": False}

    def get_object(self, **request: Any) -> dict[str, Any]:
        import io

        return {"Body": io.BytesIO(self._body), "ETag": '"bench"', "LastModified": datetime.now(UTC)}


def python_authorizer(fixture: Fixture) -> Authorizer:
    config = load_config(
        {
            "USER_POOL_ID": POOL_ID,
            "APP_CLIENT_IDS": ",".join(CLIENT_IDS),
            "AWS_REGION": REGION,
            "API_KEY_SECRET_PARAMETER": "/tenant-pipeline/bench/api-key-secret",
            "TENANT_DIRECTORY_BUCKET": "tenant-pipeline-bench-directory",
        }
    )
    keys = SigningKeys(lambda: PyJWKSet.from_dict(fixture.jwks).keys)
    directory = DirectoryReader(
        InMemorySlice(directory_bytes()), config.directory_bucket, config.directory_prefix, config.directory_max_age
    )
    return Authorizer(TokenVerifier(config, keys), lambda: "bench-secret-" + "x" * 40, directory.records)


def measure(name: str, call: Callable[[str], object], tokens: list[str], iterations: int) -> Result:
    for token in tokens * 3:  # warm: keys fetched and parsed, caches filled
        call(token)
    latencies = [0] * iterations
    clock = time.perf_counter_ns
    count = len(tokens)
    cpu_start = time.process_time()
    start = clock()
    for i in range(iterations):
        t0 = clock()
        call(tokens[i % count])
        latencies[i] = clock() - t0
    seconds = (clock() - start) / 1e9
    cpu_seconds = time.process_time() - cpu_start
    latencies.sort()
    return Result(
        name=name,
        per_second=iterations / seconds,
        per_cpu_second=iterations / cpu_seconds,
        p50_micros=latencies[iterations // 2] / 1000,
        p99_micros=latencies[min(iterations - 1, int(iterations * 0.99))] / 1000,
    )


def check_python(authorizer: Authorizer, fixture: Fixture) -> None:
    """The benchmark measures real verification: every token is allowed, a tampered one refused."""
    for token in fixture.tokens:
        authorizer.authorize({"type": "TOKEN", "authorizationToken": token, "methodArn": METHOD_ARN})
    try:
        authorizer._verifier.verify(fixture.tampered)
    except RefusedError:
        return
    raise SystemExit("the Python authorizer accepted the tampered token")


def run_node(fixture: Fixture, iterations: int, cpu: int) -> Result:
    if shutil.which("node") is None or not (BENCH_DIR / "node_modules" / "aws-jwt-verify").is_dir():
        raise SystemExit("aws-jwt-verify is not installed: run `npm ci --prefix bench` (make bench-authorizer does)")
    OUT_DIR.mkdir(exist_ok=True)
    source = OUT_DIR / "authorizer-node-input.json"
    source.write_text(
        json.dumps(
            {
                "userPoolId": POOL_ID,
                "clientIds": CLIENT_IDS,
                "jwks": fixture.jwks,
                "tokens": fixture.tokens,
                "tampered": fixture.tampered,
                "iterations": iterations,
                "warmup": len(fixture.tokens) * 3,
                "tenantIdPattern": f"^{TENANT_ID_REGEX}$",  # JavaScript test(): anchored
                "tiers": sorted(DEFAULT_TIERS),
            }
        )
    )
    completed = subprocess.run(
        ["node", str(NODE_SCRIPT), str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    output = json.loads(completed.stdout.strip().splitlines()[-1])
    return Result(
        name=f"aws-jwt-verify {output['awsJwtVerify']} (node {output['node']})",
        per_second=output["perSecond"],
        per_cpu_second=output["perCpuSecond"],
        p50_micros=output["p50Micros"],
        p99_micros=output["p99Micros"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--iterations", type=int, default=5000, help="timed verifications per side")
    parser.add_argument("--tokens", type=int, default=200, help="distinct tokens (users), verified round robin")
    parser.add_argument("--cpu", type=int, default=0, help="the one CPU both sides are pinned to")
    parser.add_argument("--rounds", type=int, default=15, help="alternating rounds: median and best reported")
    args = parser.parse_args(argv)
    if args.iterations < 100 or args.tokens < 1 or args.rounds < 1:
        parser.error("--iterations must be at least 100, --tokens and --rounds at least 1")

    os.sched_setaffinity(0, {args.cpu})
    fixture = make_fixture(args.tokens)
    authorizer = python_authorizer(fixture)
    check_python(authorizer, fixture)
    verifier = authorizer._verifier

    def authorize(token: str) -> object:
        return authorizer.authorize({"type": "TOKEN", "authorizationToken": token, "methodArn": METHOD_ARN})

    rounds: dict[str, list[Result]] = {}
    for _ in range(args.rounds):  # alternate the sides so drift on the machine hits both alike
        for result in (
            measure("python TokenVerifier.verify", verifier.verify, fixture.tokens, args.iterations),
            measure("python Authorizer.authorize (whole warm request)", authorize, fixture.tokens, args.iterations),
            run_node(fixture, args.iterations, args.cpu),
        ):
            rounds.setdefault(result.name, []).append(result)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, pinned to CPU {args.cpu}; "
        f"python {platform.python_version()}, PyJWT {jwt.__version__}, cryptography {cryptography.__version__}"
    )
    print(f"{args.tokens} tokens, {args.iterations} verifications per side per round, {args.rounds} rounds")
    for title, pick in (("median of the rounds", statistics.median), ("best round (least disturbed)", best)):
        summary = {name: summarise(name, results, pick) for name, results in rounds.items()}
        reference = next(result for name, result in summary.items() if name.startswith("aws-jwt-verify"))
        print(f"\n{title}")
        print(
            "| side | verifications/s (wall) | per CPU-second | p50 us | p99 us | vs aws-jwt-verify: wall, CPU, p50 |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for result in summary.values():
            print(
                f"| {result.name} | {result.per_second:,.0f} | {result.per_cpu_second:,.0f} "
                f"| {result.p50_micros:.1f} | {result.p99_micros:.1f} "
                f"| {result.per_second / reference.per_second:.2f}x, "
                f"{result.per_cpu_second / reference.per_cpu_second:.2f}x, "
                f"{reference.p50_micros / result.p50_micros:.2f}x |"
            )


def best(values: Iterable[float]) -> float:
    """Throughputs: the highest. Latencies are negated by summarise, so this is their lowest."""
    return max(values)


def summarise(name: str, results: list[Result], pick: Callable[[Iterable[float]], float]) -> Result:
    return Result(
        name=name,
        per_second=pick(r.per_second for r in results),
        per_cpu_second=pick(r.per_cpu_second for r in results),
        p50_micros=-pick(-r.p50_micros for r in results),
        p99_micros=-pick(-r.p99_micros for r in results),
    )


if __name__ == "__main__":
    main()
