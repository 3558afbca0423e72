#!/usr/bin/env python3
"""Speed benchmark of aws-sso against the AWS CLI v1, boto3 and curl (GitHub issue #5).

Run it through `bench/run`, which installs the pinned Python clients and builds the release
binaries first. This file owns the measurement: it starts the release sso-emulator on 127.0.0.1,
signs in once with aws-sso inside a throw-away HOME, checks that every command answers correctly,
then times the same GetRoleCredentials request made by each client, interleaved round by round,
and prints a Markdown table. The request rows are made twice: over HTTP, and over HTTPS against a
second emulator started with `--tls` (a fresh TLS handshake in every process, the emulator's CA
passed the way each client takes one); `--no-https` leaves those rows out.

How a run is measured: each command is started with `subprocess.Popen` and reaped with
`os.wait4`, so one run gives its wall time (`time.perf_counter_ns` from just before the spawn to
just after the reap, i.e. the whole process including exec, dynamic linking and exit) and its own
user + system CPU time (the rusage of that child alone). Standard output is read through a pipe,
as `$(aws-sso ...)` would; standard error is discarded.

Peak memory is measured in separate, untimed rounds through GNU time (`/usr/bin/time -f %M`):
Linux carries the pre-exec peak RSS of the spawning process into the child's `ru_maxrss`, so a
child forked straight from this ~16 MiB Python would never report less than 16 MiB. Spawned by
GNU time instead, the floor is GNU time's own ~1 MiB (the /bin/true row shows it).

The user's real ~/.aws is never read or written: every child gets a minimal environment whose
HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into the sandbox.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import math
import os
import platform
import shutil
import signal
import struct
import statistics
import subprocess
import sys
import tempfile
import time
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ACCOUNT = "111111111111"
ROLE = "ReadOnly"
REGION = "us-east-1"
START_URL = "https://d-0000000000.awsapps.com/start"

CONFIG = f"""\
[profile dev]
sso_session = demo
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = {REGION}

[sso-session demo]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access
"""

# Per-run limit: a hung client must not hang the benchmark.
RUN_TIMEOUT_S = 60


class BenchError(Exception):
    """A setup or correctness failure; printed as one clear message, exit 1."""


# The access token is a throw-away emulator token, but it still has no business in a terminal.
SECRETS: list[str] = []


def linkage(binary: Path) -> str:
    """How the measured binary is linked (an ELF static-pie has a dynamic section but no
    interpreter), and its size."""
    data = binary.read_bytes()
    size = f"{len(data) / 1e6:.1f} MB"
    if not data.startswith(b"\x7fELF"):
        return f"not ELF, {size}"
    # Program headers: PT_INTERP (3) names the dynamic loader; without it the binary is static.
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    kinds = {struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)}
    return (f"dynamically linked, {size}" if 3 in kinds else f"statically linked (static-pie), {size}")

def redact(text: str) -> str:
    for secret in SECRETS:
        text = text.replace(secret, "<access-token>")
    return text


@dataclass
class Command:
    """One row of the table."""

    key: str
    label: str
    argv: list[str]
    check: str  # "role-credentials", "process", "boto3-credentials", "settings", "version" or "exit-0"
    slow: bool = False  # counted in --slow-rounds rounds only (Python clients)
    prepare: Callable[[], None] | None = None  # run, untimed, before every execution
    https: bool = False  # an HTTPS row: its ratios are to the HTTPS aws-sso and curl rows
    wall_ns: list[int] = field(default_factory=list)
    cpu_ns: list[int] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)


@dataclass
class Run:
    """What one execution of a command gave."""

    returncode: int
    stdout: bytes
    wall_ns: int
    cpu_ns: int


def run_once(argv: list[str], env: dict[str, str], cwd: str) -> Run:
    """Spawns `argv`, reads its stdout to EOF, reaps it with wait4 and times the whole thing."""
    # A hung client must not hang the benchmark: SIGALRM raises RunTimeout (see main), which
    # kills the child below. Armed outside the timed span; a syscall, not a timer thread.
    signal.alarm(RUN_TIMEOUT_S)
    start = time.perf_counter_ns()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )
    try:
        assert proc.stdout is not None
        out = proc.stdout.read()
        # wait4 gives this child's own rusage, unlike getrusage(RUSAGE_CHILDREN), which sums
        # over every child reaped so far.
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    end = time.perf_counter_ns()
    signal.alarm(0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped; stop Popen waiting
    proc.stdout.close()
    cpu_ns = int((usage.ru_utime + usage.ru_stime) * 1e9)
    return Run(proc.returncode, out, end - start, cpu_ns)


def peak_rss_kib(argv: list[str], env: dict[str, str], cwd: str, scratch: Path) -> int:
    """Peak RSS of one run of `argv`, as GNU time reports it (see the module doc for why)."""
    report = scratch / "time.out"
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(report), *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv[:2])} exited {done.returncode} under /usr/bin/time")
    return int(report.read_text().split()[-1])


def run_checked(argv: list[str], env: dict[str, str], cwd: str, what: str) -> str:
    """Runs a setup step (not timed) and returns its stdout, or raises with its stderr."""
    try:
        done = subprocess.run(
            argv, env=env, cwd=cwd, capture_output=True, timeout=RUN_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{what}: timed out after {RUN_TIMEOUT_S} s: {' '.join(argv)}") from error
    if done.returncode != 0:
        raise BenchError(
            f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n"
            f"stderr: {done.stderr.decode(errors='replace').strip()}"
        )
    return done.stdout.decode(errors="replace")


def verify(command: Command, out: bytes, err: bytes, returncode: int, url: str) -> None:
    """Aborts unless the command's output is the right answer."""
    text = out.decode(errors="replace")
    where = f"{command.label!r} ({' '.join(command.argv)})"
    if returncode != 0:
        raise BenchError(
            f"{where} exited {returncode}\nstdout: {text.strip()[:500]}\n"
            f"stderr: {err.decode(errors='replace').strip()[:1000]}"
        )
    if command.check == "exit-0":
        return
    if command.check == "version":
        if not text.strip():
            raise BenchError(f"{where} printed no version")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BenchError(f"{where} did not print JSON ({error}): {text.strip()[:500]}") from error
    if command.check == "role-credentials":
        creds = data.get("roleCredentials") if isinstance(data, dict) else None
        if not isinstance(creds, dict) or not creds.get("accessKeyId"):
            raise BenchError(f"{where}: no roleCredentials.accessKeyId in {text.strip()[:500]}")
    elif command.check == "process":
        if not isinstance(data, dict) or data.get("Version") != 1 or not data.get("AccessKeyId"):
            raise BenchError(f"{where}: not credential_process output: {redact(text.strip())[:500]}")
    elif command.check == "boto3-credentials":
        if not isinstance(data, dict) or not data.get("key"):
            raise BenchError(f"{where}: boto3 resolved no credentials: {text.strip()[:500]}")
    elif command.check == "settings":
        got = data.get("endpoints", {}).get("sso", {}).get("url")
        if got != url:
            raise BenchError(f"{where}: resolved portal endpoint {got!r}, expected {url!r}")


def percentile(values: list[int], fraction: float) -> int:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def spread(total: int, count: int) -> set[int]:
    """`count` round indexes spread evenly over `total` rounds (for the slow Python clients)."""
    count = min(count, total)
    return {r for r in range(total) if (r + 1) * count // total > r * count // total}


class Emulator:
    """The release sso-emulator as a child process."""

    def __init__(self, binary: Path, log: Path, extra: Sequence[str] = ()) -> None:
        scheme = "https" if "--tls" in extra else "http"
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--enable-control", "--auto-approve", "demo", *extra],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith(f"READY {scheme}://127.0.0.1:"):
            self.stop()
            raise BenchError(f"sso-emulator did not print READY (got {line!r}); log: {log}")
        self.url = line.split(" ", 1)[1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()


def sandbox_env(home: Path, url: str) -> dict[str, str]:
    """The whole environment of every measured child: the sandbox HOME and the emulator."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": str(home / ".aws/config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws/credentials"),
        "AWS_ENDPOINT_URL_SSO": url,
        "AWS_ENDPOINT_URL_SSO_OIDC": url,
        # Not an EC2 host: keep botocore from probing 169.254.169.254 (traffic stays on
        # 127.0.0.1, and the Python clients get their best case).
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def role_cache_file(home: Path) -> Path:
    """The AWS CLI's role-credential cache entry of profile `dev` (cli-behavior §2.4)."""
    key = json.dumps({"accountId": ACCOUNT, "roleName": ROLE, "sessionName": "demo"}, sort_keys=True, separators=(",", ":"))
    return home / ".aws/cli/cache" / f"{hashlib.sha1(key.encode()).hexdigest()}.json"


@dataclass
class Https:
    """The HTTPS emulator of the HTTPS rows: its origin, CA file and a token it issued."""

    url: str
    ca: Path
    token: str


def https_commands(aws_sso: str, https: Https, venv_python: Path, aws: Path) -> list[Command]:
    """The request rows again, over HTTPS: every process makes its own TLS handshake, trusting
    the emulator's one-certificate CA file (so no client pays for parsing a 145-certificate
    bundle)."""
    url, ca, token = https.url, str(https.ca), https.token
    explicit = ["--access-token", token, "--account-id", ACCOUNT, "--role-name", ROLE]
    explicit += ["--region", REGION, "--endpoint-url", url, "--ca-bundle", ca]
    boto3_code = (
        "import boto3,json;"
        f"r=boto3.client('sso',region_name='{REGION}',endpoint_url='{url}',verify='{ca}')"
        f".get_role_credentials(accessToken='{token}',accountId='{ACCOUNT}',roleName='{ROLE}');"
        "r.pop('ResponseMetadata');print(json.dumps(r))"
    )
    curl_url = f"{url}/federation/credentials?role_name={ROLE}&account_id={ACCOUNT}"
    return [
        Command(
            "sso-token-https",
            "HTTPS: aws-sso get-role-credentials --access-token --ca-bundle",
            [aws_sso, "get-role-credentials", *explicit],
            "role-credentials",
            https=True,
        ),
        Command(
            "awscli-https",
            "HTTPS: AWS CLI v1 `aws sso get-role-credentials --ca-bundle`",
            [str(aws), "sso", "get-role-credentials", *explicit],
            "role-credentials",
            slow=True,
            https=True,
        ),
        Command(
            "boto3-https",
            "HTTPS: boto3 one-liner (`verify=` the CA file)",
            [str(venv_python), "-c", boto3_code],
            "role-credentials",
            slow=True,
            https=True,
        ),
        Command(
            "curl-https",
            "HTTPS: curl -s --cacert (one GET, no client logic)",
            ["curl", "-s", "-f", "--cacert", ca, "-H", f"x-amz-sso_bearer_token: {token}", curl_url],
            "role-credentials",
            https=True,
        ),
    ]


def commands(
    aws_sso_bin: Path, url: str, token: str, venv_python: Path, aws: Path, home: Path, https: Https | None = None
) -> list[Command]:
    aws_sso = str(aws_sso_bin)
    role_file = role_cache_file(home)
    explicit = [
        "--access-token",
        token,
        "--account-id",
        ACCOUNT,
        "--role-name",
        ROLE,
        "--region",
        REGION,
        "--endpoint-url",
        url,
    ]
    by_profile = ["--profile", "dev", "--account-id", ACCOUNT, "--role-name", ROLE]
    boto3_code = (
        "import boto3,json;"
        f"r=boto3.client('sso',region_name='{REGION}',endpoint_url='{url}')"
        f".get_role_credentials(accessToken='{token}',accountId='{ACCOUNT}',roleName='{ROLE}');"
        "r.pop('ResponseMetadata');print(json.dumps(r))"
    )
    boto3_profile_code = (
        "import boto3,json;"
        "c=boto3.session.Session(profile_name='dev').get_credentials().get_frozen_credentials();"
        "print(json.dumps({'key':c.access_key}))"
    )
    curl_url = f"{url}/federation/credentials?role_name={ROLE}&account_id={ACCOUNT}"
    true_bin = "/usr/bin/true" if os.access("/usr/bin/true", os.X_OK) else "/bin/true"
    return [
        Command(
            "sso-token",
            "aws-sso get-role-credentials --access-token",
            [aws_sso, "get-role-credentials", *explicit],
            "role-credentials",
        ),
        Command(
            "sso-profile",
            "aws-sso get-role-credentials --profile (cached token)",
            [aws_sso, "get-role-credentials", *by_profile],
            "role-credentials",
        ),
        Command(
            "awscli",
            "AWS CLI v1 `aws sso get-role-credentials`",
            [str(aws), "sso", "get-role-credentials", *explicit],
            "role-credentials",
            slow=True,
        ),
        Command(
            "boto3",
            "boto3 one-liner (`python -c`)",
            [str(venv_python), "-c", boto3_code],
            "role-credentials",
            slow=True,
        ),
        Command(
            "curl",
            "curl -s (one GET, no client logic)",
            ["curl", "-s", "-f", "-H", f"x-amz-sso_bearer_token: {token}", curl_url],
            "role-credentials",
        ),
        *(https_commands(aws_sso, https, venv_python, aws) if https else []),
        Command(
            "sso-export-miss",
            "aws-sso export-credentials --profile (role cache cold: one request)",
            [aws_sso, "export-credentials", "--profile", "dev"],
            "process",
            prepare=lambda: role_file.unlink(missing_ok=True),
        ),
        Command(
            "sso-export-hit",
            "aws-sso export-credentials --profile (role cache hit, no request)",
            [aws_sso, "export-credentials", "--profile", "dev"],
            "process",
        ),
        Command(
            "boto3-profile",
            "boto3 one-liner resolving profile `dev` (its SSO provider)",
            [str(venv_python), "-c", boto3_profile_code],
            "boto3-credentials",
            slow=True,
        ),
        Command(
            "sso-exec",
            f"aws-sso exec --profile dev -- {true_bin} (role cache hit)",
            [aws_sso, "exec", "--profile", "dev", "--", true_bin],
            "exit-0",
        ),
        Command(
            "sso-settings",
            "aws-sso --show-settings … --profile (no request)",
            [aws_sso, "--show-settings", "get-role-credentials", *by_profile],
            "settings",
        ),
        Command("sso-version", "aws-sso --version (no request)", [aws_sso, "--version"], "version"),
        Command(
            "aws-version",
            "AWS CLI v1 `aws --version` (no request)",
            [str(aws), "--version"],
            "version",
            slow=True,
        ),
        Command("true", f"{true_bin} (process spawn floor)", [true_bin], "exit-0"),
    ]


def ms(ns: float) -> str:
    return f"{ns / 1e6:.1f}" if ns < 1e10 else f"{ns / 1e6:.0f}"


def ratio(a: float, b: float) -> str:
    if b <= 0:
        return "–"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def table(cmds: list[Command]) -> str:
    """The results as a Markdown table; ratios use this run's side-by-side medians."""
    med = {c.key: statistics.median(c.wall_ns) for c in cmds if c.wall_ns}
    rows = [
        "| command | runs | median wall ms | p90 ms | median CPU ms | peak RSS MiB "
        "| × aws-sso | × curl |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cmds:
        if not c.wall_ns:
            continue
        m = med[c.key]
        suffix = "-https" if c.https else ""
        ref, floor = med.get("sso-token" + suffix, 0), med.get("curl" + suffix, 0)
        rows.append(
            f"| {c.label} | {len(c.wall_ns)} | {ms(m)} | {ms(percentile(c.wall_ns, 0.9))} "
            f"| {ms(statistics.median(c.cpu_ns))} "
            f"| {statistics.median(c.rss_kib) / 1024:.1f} | {ratio(m, ref)} | {ratio(m, floor)} |"
        )
    return "\n".join(rows)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Time aws-sso get-role-credentials against AWS CLI v1, boto3 and curl "
        "on a local sso-emulator (127.0.0.1 only). Prints a Markdown table.",
    )
    parser.add_argument(
        "--rounds", type=int, default=30, help="counted rounds for the native commands (default 30)"
    )
    parser.add_argument(
        "--slow-rounds",
        type=int,
        default=10,
        help="counted rounds for the Python clients, AWS CLI and boto3, which "
        "take about a second each; spread evenly over the rounds (default 10)",
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="uncounted warm-up rounds, every command (default 2)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 warm-up, 8 rounds, 3 slow rounds, 1 memory round (under 30 s)",
    )
    parser.add_argument(
        "--memory-rounds",
        type=int,
        default=5,
        help="untimed runs of every command under /usr/bin/time for the peak "
        "RSS column (default 5)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=240,
        help="stop counting rounds after this many seconds and report what was "
        "measured (default 240)",
    )
    parser.add_argument(
        "--analyse",
        action="store_true",
        help="instead of the table: perf stat, callgrind and perf trace "
        "breakdowns of one aws-sso call (see bench/analyse.py)",
    )
    parser.add_argument(
        "--no-https",
        action="store_true",
        help="leave out the HTTPS rows (and the second, --tls emulator they run against)",
    )
    parser.add_argument("--raw", type=Path, help="also write every sample as JSON to this file")
    parser.add_argument(
        "--no-build", action="store_true", help="(bench/run) skip setup-test-deps and cargo build"
    )
    parser.add_argument(
        "--enumerate",
        action="store_true",
        help="(bench/run) instead: the role-enumeration benchmark of issue #11, `aws-sso roles` "
        "over 2,000 and 10,000 accounts against a rate-limited emulator and the obvious boto3 "
        "script (bench/enumerate.py; `bench/run --enumerate --help` lists its options)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.warmup, args.rounds, args.slow_rounds, args.memory_rounds = 1, 8, 3, 1
    if min(args.rounds, args.slow_rounds, args.memory_rounds) < 1 or args.warmup < 0:
        parser.error(
            "--rounds, --slow-rounds and --memory-rounds must be at least 1, --warmup at least 0"
        )
    return args


def main(argv: list[str]) -> int:
    if "--enumerate" in argv:  # bench/run dispatches this itself; for `python bench/bench.py`
        script = Path(__file__).resolve().parent / "enumerate.py"
        os.execv(sys.executable, [sys.executable, str(script), *argv])
    args = parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    venv_python = repo / ".venv/bin/python"
    aws = repo / ".venv/bin/aws"
    for needed in (
        repo / "target/release/aws-sso",
        repo / "target/release/sso-emulator",
        venv_python,
        aws,
        Path("/usr/bin/time"),
    ):
        if not os.access(needed, os.X_OK):
            raise BenchError(f"{needed} is missing: run bench/run (it builds and installs it)")
    if shutil.which("curl") is None:
        raise BenchError("curl is not installed (apt-get install curl)")

    sandbox = Path(tempfile.mkdtemp(prefix="aws-sso-bench."))
    emulator: Emulator | None = None
    tls_emulator: Emulator | None = None
    began = time.monotonic()
    try:
        home = sandbox / "home"
        emulator = Emulator(repo / "target/release/sso-emulator", sandbox / "emulator.log")
        url = emulator.url
        env = sandbox_env(home, url)
        cwd = str(sandbox)
        # What users run is an installed copy (`cargo install` and scripts/install copy the
        # binary), not the linker's output: a file written in one sequential pass is cached in
        # large folios, so starting it takes fewer page faults (about 25 fewer, ~0.3 ms here).
        aws_sso_bin = sandbox / "bin/aws-sso"
        aws_sso_bin.parent.mkdir()
        shutil.copy2(repo / "target/release/aws-sso", aws_sso_bin)
        token = sign_in(aws_sso_bin, home, env, cwd)
        https = None
        if not args.no_https:
            # Its own emulator (tokens live in one emulator's memory) and its own HOME, so the
            # HTTP rows' cached token stays the HTTP emulator's.
            ca = sandbox / "emulator-ca.pem"
            tls_emulator = Emulator(
                repo / "target/release/sso-emulator",
                sandbox / "emulator-tls.log",
                ["--tls", "--tls-ca-out", str(ca)],
            )
            tls_home = sandbox / "home-tls"
            tls_env = {**sandbox_env(tls_home, tls_emulator.url), "AWS_CA_BUNDLE": str(ca)}
            https = Https(tls_emulator.url, ca, sign_in(aws_sso_bin, tls_home, tls_env, cwd))

        cmds = commands(aws_sso_bin, url, token, venv_python, aws, home, https)
        for c in cmds:
            if c.prepare:
                c.prepare()
            try:
                done = subprocess.run(
                    c.argv,
                    env=env,
                    cwd=cwd,
                    capture_output=True,
                    timeout=RUN_TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise BenchError(f"{c.label!r} timed out after {RUN_TIMEOUT_S} s") from error
            verify(c, done.stdout, done.stderr, done.returncode, url)

        if args.analyse:
            import analyse  # noqa: PLC0415 - only this mode needs it

            print(
                f"# Where aws-sso's time goes ({dt.date.today()}, load average "
                f"{os.getloadavg()[0]:.2f})"
            )
            analyse.run(cmds, env, cwd, args.quick)
            return 0

        header = [
            f"date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"host: {platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}, "
            f"load average at start {os.getloadavg()[0]:.2f}",
            f"emulator: {url}"
            + (f" and {https.url} (--tls)" if https else "")
            + " (release build, no latency, no rate limits)",
            f"aws-sso: {linkage(aws_sso_bin)}, a copy of target/release/aws-sso as `cargo install` makes",
            f"rounds: {args.warmup} warm-up + {args.rounds} counted, interleaved; "
            f"AWS CLI and boto3 rows in {min(args.slow_rounds, args.rounds)} of them; "
            f"peak RSS: median of {args.memory_rounds} separate /usr/bin/time runs",
        ]
        print("\n".join(header), flush=True)

        slow_rounds = spread(args.rounds, args.slow_rounds)
        budget_hit = False
        for r in range(-args.warmup, args.rounds):
            if r >= 0 and time.monotonic() - began > args.budget:
                budget_hit = True
                break
            for c in cmds:
                if c.slow and r >= 0 and r not in slow_rounds:
                    continue
                if c.prepare:
                    c.prepare()
                done = run_once(c.argv, env, cwd)
                if done.returncode != 0:
                    gone = emulator.proc.poll() is not None
                    raise BenchError(
                        f"{c.label!r} exited {done.returncode} in round {r}"
                        + (" (the emulator has exited)" if gone else "")
                    )
                if r >= 0:
                    c.wall_ns.append(done.wall_ns)
                    c.cpu_ns.append(done.cpu_ns)
            if r >= 0 and (r + 1) % 10 == 0:
                print(f"  … {r + 1}/{args.rounds} rounds", file=sys.stderr, flush=True)
        for _ in range(args.memory_rounds):
            for c in cmds:
                if c.prepare:
                    c.prepare()
                c.rss_kib.append(peak_rss_kib(c.argv, env, cwd, sandbox))
        if budget_hit:
            print(
                f"note: stopped at the {args.budget:.0f} s budget; fewer runs than asked",
                flush=True,
            )
        print()
        print(table(cmds))
        print()
        print(
            f"total {time.monotonic() - began:.0f} s; "
            "× aws-sso = median / median of the `--access-token` row; × curl likewise"
            " (HTTPS rows: of the HTTPS `--access-token` and curl rows)."
        )
        if args.raw:
            args.raw.write_text(
                json.dumps(
                    {
                        c.key: {
                            "label": c.label,
                            "argv0": c.argv[0],
                            "wall_ns": c.wall_ns,
                            "cpu_ns": c.cpu_ns,
                            "rss_kib": c.rss_kib,
                        }
                        for c in cmds
                    },
                    indent=1,
                )
            )
        return 0
    finally:
        for running in (emulator, tls_emulator):
            if running is not None:
                running.stop()
        shutil.rmtree(sandbox, ignore_errors=True)


def sign_in(aws_sso_bin: Path, home: Path, env: dict[str, str], cwd: str) -> str:
    """`aws-sso login` (device code, auto-approved) into a new sandbox HOME; returns the token."""
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/config").write_text(CONFIG)
    run_checked(
        [
            str(aws_sso_bin),
            "login",
            "--profile",
            "dev",
            "--no-browser",
            "--use-device-code",
        ],
        env,
        cwd,
        "aws-sso login",
    )
    token = None
    for path in sorted(glob.glob(str(home / ".aws/sso/cache/*.json"))):
        data = json.loads(Path(path).read_text())
        if data.get("accessToken"):
            token = data["accessToken"]
    if not token:
        raise BenchError(f"aws-sso login wrote no token with accessToken under {home}/.aws/sso/cache")
    SECRETS.append(token)
    return token


class RunTimeout(Exception):
    """SIGALRM: one run took longer than RUN_TIMEOUT_S."""


def on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def on_sigalrm(_signum: int, _frame: object) -> None:
    raise RunTimeout


if __name__ == "__main__":
    sys.dont_write_bytecode = True  # no bench/__pycache__ from `import analyse`
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGALRM, on_sigalrm)
    try:
        sys.exit(main(sys.argv[1:]))
    except RunTimeout:
        print(f"bench: error: a command ran longer than {RUN_TIMEOUT_S} s", file=sys.stderr)
        sys.exit(1)
    except BenchError as error:
        print(f"bench: error: {redact(str(error))}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
