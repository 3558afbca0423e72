#!/usr/bin/env python3
"""`bench/run --enumerate`: how fast and how lean is `aws-sso roles` (GitHub issue #11)?

`aws-sso roles` lists every (accountId, accountName, roleName) the user can assume: ListAccounts,
then ListAccountRoles for each account, through one adaptive (AIMD) limiter that starts at IAM
Identity Center's documented 20 requests/s. This file measures it against the local
`sso-emulator` (127.0.0.1 only) and prints a Markdown table with issue #11's targets beside the
results. It reports the targets; it never fails on them.

Rows, in the order they run (the table prints them 1-4):

1. `aws-sso roles --refresh` over `--accounts` synthetic accounts (3 roles each) on an emulator
   limited to `--rate-limit portal=20` (burst 20): wall time, the portal requests it made and how
   many of them were throttled (HTTP 429), and the wall time over the bound a perfect client
   cannot beat, (successful requests - burst) / 20 s.
3. `aws-sso roles` answering from the catalog row 1 left: median and p90 wall time of
   `--cached-runs` runs (spawned and reaped like bench.py's rows), and a check that no request
   was made.
2. The obvious boto3 script on the same emulator once its bucket is full again: one thread,
   `get_paginator('list_accounts')`, then `get_paginator('list_account_roles')` per account, the
   SDK's retries. Did it finish, or give up with TooManyRequestsException, and after how many
   accounts? Bounded by `--boto3-timeout`.
4. Peak RSS of `aws-sso roles --refresh --max-rate 2000` over `--memory-accounts` accounts on an
   emulator without a rate limit, under GNU time (`/usr/bin/time -f %M`, see bench.py for why).

Before any of that, a small emulator with only the built-in directory gives the number of roles
user `demo` has in its own accounts (from an `aws-sso roles` run, not hard-coded) and checks that
the boto3 script collects exactly the triples aws-sso prints. Every aws-sso row then checks exit
status 0 and own roles + accounts x 3 distinct triples, and stops with a clear error otherwise.

Each emulator gets its own sandbox HOME (a client registration belongs to one emulator's
in-memory state) with bench.py's `dev` profile and `demo` sso-session, signed in once with
`aws-sso login --profile dev --no-browser --use-device-code` (auto-approved). The real ~/.aws is
never read or written; every child gets bench.py's minimal environment.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # before `import bench`: no bench/__pycache__

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import bench  # noqa: E402
from bench import CONFIG, SECRETS, BenchError, Emulator, percentile, redact  # noqa: E402

RATE = 20  # the portal limit of row 1 and 2: IAM Identity Center's documented 20 requests/s
BURST = max(1, RATE)  # the emulator's default burst for --rate-limit portal=RATE
ROLES_PER_ACCOUNT = 3
MEMORY_MAX_RATE = 2000  # row 4's --max-rate: no limit on the emulator, so the client's own pace
PORTAL_OPS = ("ListAccounts", "ListAccountRoles")
SESSION = "demo"  # the sso-session of bench.CONFIG; its token file is sha1(SESSION).json
RATIO_TARGET = 1.05
CACHED_TARGET_MS = 20
RSS_TARGET_MIB = 30

# The obvious script: what someone writes to list every role with boto3. One thread, the
# paginators, the client's default configuration; its retry mode comes from AWS_RETRY_MODE, set
# by the harness (the script itself has no Config). Progress goes to stderr, so a run killed at
# the timeout still says how far it got; the triples go to the file argv[1], the summary to stdout.
BOTO3_SCRIPT = """\
import json, os, sys
import boto3
from botocore.exceptions import ClientError

token = os.environ["SSO_ACCESS_TOKEN"]
sso = boto3.client("sso", region_name="us-east-1")  # endpoint: AWS_ENDPOINT_URL_SSO
accounts, roles, done, error = [], [], 0, None
try:
    for page in sso.get_paginator("list_accounts").paginate(accessToken=token):
        accounts.extend(page["accountList"])
    print(f"accounts {len(accounts)}", file=sys.stderr, flush=True)
    for account in accounts:
        pages = sso.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId=account["accountId"]
        )
        for page in pages:
            for role in page["roleList"]:
                roles.append(
                    {
                        "accountId": account["accountId"],
                        "accountName": account["accountName"],
                        "roleName": role["roleName"],
                    }
                )
        done += 1
        print(f"done {done}", file=sys.stderr, flush=True)
except ClientError as e:
    error = {"code": e.response["Error"]["Code"], "message": str(e)}
with open(sys.argv[1], "w") as f:
    json.dump({"roles": roles}, f)
print(json.dumps({
    "completed": error is None,
    "accounts": len(accounts),
    "accounts_done": done,
    "roles": len(roles),
    "retries": dict(sso.meta.config.retries),
    "error": error,
}))
"""

# Option defaults of a full run and of --quick (explicit options win over both).
FULL = {"accounts": 2000, "memory_accounts": 10000, "cached_runs": 30, "boto3_timeout": 300}
QUICK = {"accounts": 200, "memory_accounts": 1000, "cached_runs": 10, "boto3_timeout": 60}

# botocore's total attempts when the config does not set max_attempts.
DEFAULT_ATTEMPTS = {"legacy": 5, "standard": 3, "adaptive": 3}

# The control routes are on 127.0.0.1: never through a proxy from the environment.
CONTROL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Site:
    """One running emulator with its own sandbox HOME, signed in."""

    emulator: Emulator
    url: str
    home: Path
    env: dict[str, str]
    token: str

    def control(self, method: str, path: str) -> dict:
        request = urllib.request.Request(self.url + path, method=method)
        with CONTROL.open(request, timeout=60) as response:
            return json.load(response)

    def counters(self) -> dict[str, int]:
        return self.control("GET", "/_emulator/counters")

    def clear_log(self) -> None:
        self.control("DELETE", "/_emulator/requests")

    def portal_log(self) -> tuple[int, int]:
        """(portal requests in the request log, of which HTTP 429)."""
        log = [r for r in self.control("GET", "/_emulator/requests")["requests"]
               if r.get("operation") in PORTAL_OPS]
        return len(log), sum(1 for r in log if r.get("status") == 429)


def portal_requests(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(after.get(op, 0) - before.get(op, 0) for op in PORTAL_OPS)


@dataclass
class Timed:
    """One run of rows 1, 2 or 4."""

    returncode: int | None  # None: killed at the timeout
    stdout: bytes
    wall_s: float
    cpu_s: float
    stderr: str


def run_timed(argv: list[str], env: dict[str, str], cwd: str, timeout_s: int, err: Path) -> Timed:
    """bench.run_once for long runs: a timeout of its own, stderr kept in a file, and a run killed
    at the timeout returned (returncode None) instead of raised."""
    with open(err, "wb") as err_file:
        signal.alarm(timeout_s)
        start = time.perf_counter_ns()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err_file,
            env=env,
            cwd=cwd,
        )
        assert proc.stdout is not None
        out, returncode, cpu_s = b"", None, 0.0
        try:
            out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = returncode = os.waitstatus_to_exitcode(status)
            signal.alarm(0)
            cpu_s = usage.ru_utime + usage.ru_stime
        except bench.RunTimeout:
            proc.kill()
            proc.wait()
        except BaseException:
            signal.alarm(0)
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        end = time.perf_counter_ns()
    return Timed(returncode, out, (end - start) / 1e9, cpu_s, err.read_text(errors="replace"))


def triples(stdout: bytes, where: str) -> list[tuple[str, str, str]]:
    """The roles of `{"roles": [{"accountId", "accountName", "roleName"}, ...]}`, checked."""
    try:
        roles = json.loads(stdout)["roles"]
        found = [(r["accountId"], r["accountName"], r["roleName"]) for r in roles]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise BenchError(f"{where}: not {{\"roles\": [...]}} output ({error!r}): "
                         f"{stdout[:300].decode(errors='replace')}") from error
    if not all(isinstance(v, str) and v for t in found for v in t):
        raise BenchError(f"{where}: a role with an empty or non-string field")
    if len(set(found)) != len(found):
        raise BenchError(f"{where}: {len(found) - len(set(found))} duplicate roles")
    return found


def check_roles(run: Timed, expected: int | None, where: str) -> list[tuple[str, str, str]]:
    """Aborts unless `run` exited 0 and printed `expected` (None: any number of) distinct roles."""
    if run.returncode != 0:
        how = "was killed at its timeout" if run.returncode is None else f"exited {run.returncode}"
        raise BenchError(f"{where} {how}\nstderr: {run.stderr.strip()[-1500:]}")
    found = triples(run.stdout, where)
    if expected is not None and len(found) != expected:
        raise BenchError(f"{where}: {len(found):,} roles, expected {expected:,}")
    return found


def start_site(
    repo: Path, sandbox: Path, name: str, extra: list[str], running: list[Emulator]
) -> Site:
    """An emulator with `extra` arguments, a sandbox HOME for it, and a signed-in `dev` profile."""
    home = sandbox / name / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/config").write_text(CONFIG)
    log = sandbox / f"{name}-emulator.log"
    emulator = Emulator(repo / "target/release/sso-emulator", log, extra)
    running.append(emulator)
    url = emulator.url
    env = bench.sandbox_env(home, url)
    bench.run_checked(
        [str(repo / "target/release/aws-sso"), "login", "--profile", "dev", "--no-browser",
         "--use-device-code"],
        env, str(sandbox), f"aws-sso login ({name} emulator)",
    )
    token_file = home / ".aws/sso/cache" / f"{hashlib.sha1(SESSION.encode()).hexdigest()}.json"
    try:
        token = json.loads(token_file.read_text())["accessToken"]
    except (OSError, ValueError, KeyError) as error:
        raise BenchError(f"aws-sso login left no accessToken in {token_file}: {error!r}") from error
    SECRETS.append(token)
    return Site(emulator, url, home, env, token)


@dataclass
class Row:
    label: str
    wall: str
    requests: str
    throttled: str
    result: str
    target: str
    notes: list[str] = field(default_factory=list)


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def boto3_summary(run: Timed) -> tuple[dict | None, int, int | None]:
    """(the script's stdout summary or None, accounts done, accounts listed) from stdout/stderr."""
    done, listed = 0, None
    for line in run.stderr.splitlines():
        if line.startswith("done "):
            done = int(line.split()[1])
        elif line.startswith("accounts "):
            listed = int(line.split()[1])
    summary = None
    if run.returncode == 0:
        try:
            summary = json.loads(run.stdout)
        except json.JSONDecodeError as error:
            raise BenchError(f"the boto3 script printed no summary ({error}): "
                             f"{run.stdout[:300].decode(errors='replace')}") from error
    return summary, done, listed


def attempts_of(retries: dict) -> str:
    mode = retries.get("mode", "?")
    attempts = retries.get("total_max_attempts", DEFAULT_ATTEMPTS.get(mode))
    return f"{mode} retries, {attempts} attempts"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run --enumerate",
        description="The role-enumeration benchmark of issue #11: `aws-sso roles` on a local, "
        "rate-limited sso-emulator (127.0.0.1 only), next to the obvious boto3 script. Prints a "
        "Markdown table with the targets; about 4 minutes with the defaults.",
    )
    parser.add_argument("--accounts", type=int,
                        help="synthetic accounts of rows 1-3, 3 roles each (default 2000)")
    parser.add_argument("--memory-accounts", type=int,
                        help="synthetic accounts of the peak-RSS row 4 (default 10000)")
    parser.add_argument("--cached-runs", type=int,
                        help="timed runs of the cached answer, row 3, after 2 warm-ups "
                        "(default 30)")
    parser.add_argument("--boto3-timeout", type=int,
                        help="kill the boto3 script after this many seconds (default 300; it "
                        "needs at least accounts/20 s)")
    parser.add_argument("--boto3-retry-mode", choices=["standard", "legacy"], default="standard",
                        help="AWS_RETRY_MODE for the boto3 script: standard (3 attempts, the AWS "
                        "CLI v2's default; default here) or legacy (5 attempts: what botocore "
                        "1.43.11 picks when nothing is configured)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 200 accounts, 1000 memory accounts, 10 cached runs, "
                        "boto3 timeout 60 s, unless given (under a minute)")
    parser.add_argument("--enumerate", action="store_true",
                        help="(bench/run) select this benchmark")
    parser.add_argument("--no-build", action="store_true",
                        help="(bench/run) skip setup-test-deps and cargo build")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if min(args.accounts, args.memory_accounts, args.cached_runs, args.boto3_timeout) < 1:
        parser.error(
            "--accounts, --memory-accounts, --cached-runs and --boto3-timeout must be at least 1"
        )
    return args


@dataclass
class Bench:
    """What every row needs: paths, the sandbox, the running emulators."""

    repo: Path
    sandbox: Path
    args: argparse.Namespace
    running: list[Emulator] = field(default_factory=list)

    @property
    def cwd(self) -> str:
        return str(self.sandbox)

    @property
    def roles_argv(self) -> list[str]:
        return [str(self.repo / "target/release/aws-sso"), "roles", "--profile", "dev"]

    def site(self, name: str, extra: list[str]) -> Site:
        return start_site(self.repo, self.sandbox, name, extra, self.running)

    def stop(self, site: Site) -> None:
        site.emulator.stop()
        self.running.remove(site.emulator)

    def boto3(self, site: Site, name: str, timeout_s: int) -> tuple[Timed, Path]:
        """Runs the obvious boto3 script on `site`; returns the run and its triples file."""
        script = self.sandbox / "obvious_boto3.py"
        script.write_text(BOTO3_SCRIPT)
        out = self.sandbox / f"{name}-boto3.json"
        env = {**site.env, "AWS_RETRY_MODE": self.args.boto3_retry_mode,
               "SSO_ACCESS_TOKEN": site.token}
        run = run_timed([str(self.repo / ".venv/bin/python"), str(script), str(out)], env,
                        self.cwd, timeout_s, self.sandbox / f"{name}-boto3.err")
        return run, out


def say(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def preflight(b: Bench) -> tuple[list[tuple[str, str, str]], str]:
    """User demo's roles in the built-in directory, from aws-sso; checks the boto3 script lists
    the same. Returns them and the boto3 script's retry configuration, as words."""
    say("preflight: built-in directory only")
    site = b.site("own", [])
    run = run_timed([*b.roles_argv, "--refresh"], site.env, b.cwd, 60, b.sandbox / "own.err")
    own = check_roles(run, None, "preflight `aws-sso roles --refresh` (built-in directory)")
    if not own:
        raise BenchError("preflight: user demo has no roles in the built-in directory")
    run, out = b.boto3(site, "own", 60)
    summary, _, _ = boto3_summary(run)
    if run.returncode != 0 or not summary or not summary["completed"]:
        raise BenchError(f"preflight: the boto3 script failed: {summary}\n"
                         f"stderr: {run.stderr.strip()[-1500:]}")
    if set(triples(out.read_bytes(), "preflight boto3 script")) != set(own):
        raise BenchError("preflight: the boto3 script and aws-sso list different roles")
    b.stop(site)
    return own, attempts_of(summary["retries"])


def row_refresh(b: Bench, site: Site, expected: int) -> tuple[Row, list[tuple[str, str, str]]]:
    """Row 1: `aws-sso roles --refresh` at 20 requests/s."""
    n = b.args.accounts
    need_s = (n + n // 100 + 1) / RATE
    say(f"row 1: aws-sso roles --refresh over {n:,} accounts (about {need_s:.0f} s)")
    time.sleep(BURST / RATE + 0.5)  # a full bucket
    site.clear_log()
    before = site.counters()
    run = run_timed([*b.roles_argv, "--refresh"], site.env, b.cwd, int(2 * need_s) + 60,
                    b.sandbox / "row1.err")
    requests = portal_requests(before, site.counters())
    catalog = check_roles(run, expected, f"row 1 `aws-sso roles --refresh` ({n:,} accounts)")
    logged, throttled = site.portal_log()
    ok = requests - throttled
    bound = max(ok - BURST, 1) / RATE
    ratio = run.wall_s / bound
    row = Row(
        f"1. `aws-sso roles --refresh`, {n:,} accounts, portal {RATE}/s (burst {BURST})",
        f"{run.wall_s:.1f} s", f"{requests:,}", f"{throttled:,}",
        f"**{ratio:.3f}×** the bound ({ok:,} ok − {BURST}) / {RATE} = {bound:.1f} s; "
        f"{len(catalog):,} roles ✓",
        f"≤ {RATIO_TARGET:.2f}× ({met(ratio <= RATIO_TARGET)})",
    )
    row.notes.append(f"row 1: aws-sso used {run.cpu_s:.2f} s of CPU; "
                     f"{ok / run.wall_s:.2f} successful requests/s")
    if logged != requests:
        row.notes.append(f"row 1: the request log holds {logged:,} portal requests, the counters "
                         f"say {requests:,} (the 429 count is from the log)")
    return row, catalog


def row_cached(b: Bench, site: Site, catalog: list[tuple[str, str, str]]) -> Row:
    """Row 3: `aws-sso roles` answering from row 1's catalog, timed like bench.py's rows."""
    runs = b.args.cached_runs
    say(f"row 3: aws-sso roles from the cache, {runs} runs")
    where = "row 3 `aws-sso roles` (cached)"
    before = site.counters()
    check = run_timed(b.roles_argv, site.env, b.cwd, 60, b.sandbox / "row3.err")
    if set(check_roles(check, len(catalog), where)) != set(catalog):
        raise BenchError(f"{where}: not the roles row 1 listed")
    walls, cpus = [], []
    for i in range(2 + runs):  # 2 warm-ups
        done = bench.run_once(b.roles_argv, site.env, b.cwd)
        if done.returncode != 0 or done.stdout != check.stdout:
            raise BenchError(f"{where}: run {i} exited {done.returncode}"
                             + ("" if done.returncode else " with different output"))
        if i >= 2:
            walls.append(done.wall_ns)
            cpus.append(done.cpu_ns)
    requests = portal_requests(before, site.counters())
    if requests:
        raise BenchError(f"{where}: made {requests} portal requests: not a cache hit")
    median, p90 = statistics.median(walls) / 1e6, percentile(walls, 0.9) / 1e6
    cpu = statistics.median(cpus) / 1e6
    return Row(
        f"3. `aws-sso roles` from the cache ({len(catalog):,} roles), {runs} runs",
        f"{median:.1f} ms", "0", "–",
        f"median **{median:.1f} ms**, p90 {p90:.1f} ms, CPU {cpu:.1f} ms; "
        f"{len(check.stdout) / 1024:,.0f} KiB of JSON ✓",
        f"< {CACHED_TARGET_MS} ms ({met(median < CACHED_TARGET_MS)})",
    )


def row_boto3(b: Bench, site: Site, catalog: list[tuple[str, str, str]], retries: str) -> Row:
    """Row 2: the obvious boto3 script on row 1's emulator, its bucket full again."""
    timeout_s = b.args.boto3_timeout
    say(f"row 2: the obvious boto3 script ({retries}; at most {timeout_s} s)")
    time.sleep(BURST / RATE + 0.5)
    site.clear_log()
    before = site.counters()
    run, out = b.boto3(site, "row2", timeout_s)
    requests = portal_requests(before, site.counters())
    logged, throttled = site.portal_log()
    summary, done, listed = boto3_summary(run)
    where = f"account {done + 1:,} of {listed:,}" if listed is not None else "ListAccounts"
    if run.returncode is None:
        result = f"killed at the {timeout_s} s timeout, in {where}"
    elif summary is None:
        last = (run.stderr.strip().splitlines() or ["no stderr"])[-1]
        result = f"**crashed** (exit {run.returncode}) in {where}: {last[:120]}"
    elif summary["completed"]:
        got = triples(out.read_bytes(), "row 2 boto3 script")
        if set(got) != set(catalog):
            raise BenchError("row 2: the boto3 script completed with other roles than aws-sso")
        ok = requests - throttled
        bound = max(ok - BURST, 1) / RATE
        result = (f"completed: the same {len(got):,} roles; {run.wall_s / bound:.3f}× its bound "
                  f"({ok:,} ok − {BURST}) / {RATE} = {bound:.1f} s")
    else:
        result = (f"**crashed**: {summary['error']['code']} after {retries.split(', ')[-1]}, in "
                  f"{where} ({summary['roles']:,} of {len(catalog):,} roles)")
    row = Row(f"2. the obvious boto3 script (1 thread, paginators, {retries}), same emulator",
              f"{run.wall_s:.1f} s", f"{requests:,}", f"{throttled:,}", result, "– (comparison)")
    if run.returncode is not None:
        row.notes.append(f"row 2: the boto3 script used {run.cpu_s:.2f} s of CPU")
    if summary and summary.get("error"):
        row.notes.append(f"row 2: boto3's error: {summary['error']['message'][:200]}")
    if logged != requests:
        row.notes.append(f"row 2: the request log holds {logged:,} portal requests, the counters "
                         f"say {requests:,} (the 429 count is from the log)")
    return row


def row_memory(b: Bench, own: int) -> Row:
    """Row 4: peak RSS of a full listing of --memory-accounts accounts, no rate limit."""
    m = b.args.memory_accounts
    say(f"row 4: aws-sso roles --refresh --max-rate {MEMORY_MAX_RATE} over {m:,} accounts")
    site = b.site("memory", ["--synthetic-accounts", str(m),
                             "--synthetic-roles", str(ROLES_PER_ACCOUNT)])
    report = b.sandbox / "time.out"
    before = site.counters()
    argv = ["/usr/bin/time", "-f", "%M", "-o", str(report),
            *b.roles_argv, "--refresh", "--max-rate", str(MEMORY_MAX_RATE)]
    run = run_timed(argv, site.env, b.cwd, 300, b.sandbox / "row4.err")
    requests = portal_requests(before, site.counters())
    found = check_roles(run, own + m * ROLES_PER_ACCOUNT,
                        f"row 4 `aws-sso roles --refresh` ({m:,} accounts)")
    rss_mib = int(report.read_text().split()[-1]) / 1024
    b.stop(site)
    return Row(
        f"4. `aws-sso roles --refresh --max-rate {MEMORY_MAX_RATE}`, {m:,} accounts, "
        "no rate limit",
        f"{run.wall_s:.1f} s", f"{requests:,}", "0",
        f"peak RSS **{rss_mib:.1f} MiB**; {len(found):,} roles ✓",
        f"< {RSS_TARGET_MIB} MiB ({met(rss_mib < RSS_TARGET_MIB)})",
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    for needed in (repo / "target/release/aws-sso", repo / "target/release/sso-emulator",
                   repo / ".venv/bin/python", Path("/usr/bin/time")):
        if not os.access(needed, os.X_OK):
            raise BenchError(f"{needed} is missing: run bench/run (it builds and installs it)")

    b = Bench(repo, Path(tempfile.mkdtemp(prefix="aws-sso-bench-enum.")), args)
    began = time.monotonic()
    load_start = os.getloadavg()[0]
    try:
        own, retries = preflight(b)
        n = args.accounts
        print(f"date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}\n"
              f"host: {platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}, "
              f"load average at start {load_start:.2f}\n"
              f"directory: built-in (user demo: {len({a for a, _, _ in own})} accounts, "
              f"{len(own)} roles) + synthetic accounts × {ROLES_PER_ACCOUNT} roles; emulator of "
              f"rows 1-3: --synthetic-accounts {n} --rate-limit portal={RATE} (burst {BURST})",
              flush=True)

        site = b.site("main", ["--synthetic-accounts", str(n), "--synthetic-roles",
                               str(ROLES_PER_ACCOUNT), "--rate-limit", f"portal={RATE}"])
        row1, catalog = row_refresh(b, site, len(own) + n * ROLES_PER_ACCOUNT)
        row3 = row_cached(b, site, catalog)  # before row 2: nothing has touched the catalog yet
        row2 = row_boto3(b, site, catalog, retries)
        b.stop(site)
        row4 = row_memory(b, len(own))

        rows = [row1, row2, row3, row4]
        print()
        print("| row | wall | requests | throttled (429) | result | target |")
        print("|---|---:|---:|---:|---|---|")
        for r in rows:
            print(f"| {r.label} | {r.wall} | {r.requests} | {r.throttled} | {r.result} "
                  f"| {r.target} |")
        print()
        for note in [note for r in rows for note in r.notes]:
            print(note)
        print("requests = ListAccounts + ListAccountRoles from /_emulator/counters, before/after; "
              "429s from /_emulator/requests; run order 1, 3, 2, 4")
        print(f"total {time.monotonic() - began:.0f} s; load average at end "
              f"{os.getloadavg()[0]:.2f}")
        return 0
    finally:
        for emulator in b.running:
            emulator.stop()
        shutil.rmtree(b.sandbox, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, bench.on_sigterm)
    signal.signal(signal.SIGALRM, bench.on_sigalrm)
    try:
        sys.exit(main(sys.argv[1:]))
    except bench.RunTimeout:
        print(f"bench: error: a command ran longer than {bench.RUN_TIMEOUT_S} s", file=sys.stderr)
        sys.exit(1)
    except BenchError as error:
        print(f"bench: error: {redact(str(error))}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
