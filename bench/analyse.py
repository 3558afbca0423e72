"""`bench/run --analyse`: where one aws-sso call spends its time.

Runs on the same emulator and sandbox as the benchmark (bench.py sets them up) and prints three
Markdown sections, each skipped with a note when its tool is missing or unsupported here:

1. `perf stat`: CPU time (task-clock), page faults and context switches per process, for the
   aws-sso variants next to /bin/true and curl. Software counters only, so it works in VMs
   without a PMU.
2. `valgrind --tool=callgrind`: instructions executed per shared object (ld.so = dynamic
   linking, libc, the aws-sso binary itself) and the top functions of one request. The release
   binary is stripped, so its own functions show as addresses; libc and ld.so have symbols.
3. `perf trace`: a syscall timeline of one request, phase by phase, median over several runs
   (syscall tracing adds a little to each phase; page faults are not traced).
"""

from __future__ import annotations

import collections
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench import Command

# Rows of sections 1 and 2, by Command.key.
STAT_KEYS = ["true", "sso-version", "sso-settings", "sso-profile", "sso-token", "curl"]
CALLGRIND_KEYS = ["true", "sso-version", "sso-settings", "sso-profile", "sso-token"]
TIMELINE_KEY = "sso-token"


def perf_stat(argv: list[str], env: dict[str, str], cwd: str, repeats: int) -> dict[str, float]:
    """Mean task-clock (ms), page faults and context switches over `repeats` runs."""
    done = subprocess.run(
        [
            "perf",
            "stat",
            "-x",
            ",",
            "-r",
            str(repeats),
            "-e",
            "task-clock,page-faults,context-switches",
            "--",
            *argv,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        text=True,
        timeout=120,
        check=False,
    )
    values: dict[str, float] = {}
    for line in done.stderr.splitlines():
        fields = line.split(",")
        if len(fields) >= 3 and fields[0] not in ("", "<not supported>", "<not counted>"):
            try:
                values[fields[2]] = float(fields[0])
            except ValueError:
                continue
    return values


def callgrind_costs(path: Path) -> tuple[collections.Counter, collections.Counter]:
    """Self cost (instructions) per object and per (object, function) from a callgrind file.

    The format compresses names as `(id) name` on first use and `(id)` afterwards; the cost
    line after a `calls=` line is the inclusive cost of that call, which belongs to the callee
    and is skipped here."""
    names: dict[tuple[str, str], str] = {}

    def name(kind: str, rest: str) -> str:
        match = re.match(r"\((\d+)\)(?: (.*))?", rest)
        if not match:
            return rest
        key = (kind, match.group(1))
        if match.group(2) is not None:
            names[key] = match.group(2)
        return names.get(key, rest)

    by_object: collections.Counter = collections.Counter()
    by_function: collections.Counter = collections.Counter()
    obj = fn = ""
    skip_next = False
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("ob="):
            obj = name("ob", line[3:])
        elif line.startswith("fn="):
            fn = name("fn", line[3:])
        elif line.startswith("cob="):
            name("ob", line[4:])
        elif line.startswith("cfn="):
            name("fn", line[4:])
        elif line.startswith(("cfi=", "cfl=")):
            name("fl", line[4:])
        elif line.startswith(("fl=", "fi=", "fe=")):
            name("fl", line[3:])
        elif line.startswith("calls="):
            skip_next = True
        elif line and (line[0].isdigit() or line[0] in "+-*"):
            if skip_next:
                skip_next = False
                continue
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                by_object[obj] += int(parts[1])
                by_function[(obj, fn)] += int(parts[1])
    return by_object, by_function


def short_object(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    return {"ld-linux-x86-64.so.2": "ld.so", "libc.so.6": "libc"}.get(base, base)


def timeline(argv: list[str], env: dict[str, str], cwd: str, repeats: int) -> list[str] | None:
    """Median phase durations of one run, from `perf trace` syscall timestamps."""
    syscalls = "execve,mmap,clone3,statx,connect,sendto,recvfrom,write,exit_group"
    line_re = re.compile(r"\s*([\d.]+) \(.*?\): (\S+)/(\d+) (\w+)\((.*)")
    # (label, predicate on (comm, syscall, args)); the first matching event marks the phase end.
    marks = [
        (
            "exec, dynamic linking, libc and Rust runtime start-up",
            lambda c, n, a: n == "mmap" and "len: 12288" in a and "STACK" in a,
        ),
        (
            "argument parsing (clap), environment snapshot, Ctrl-C handler thread",
            lambda c, n, a: n == "mmap" and "len: 2101248" in a,
        ),
        (
            "thread creation returning, until the config file is opened",
            lambda c, n, a: n == "statx" and c != "ctrl-c",
        ),
        (
            "config parse, settings, token/cache, client set-up, until connect()",
            lambda c, n, a: n == "connect",
        ),
        (
            "connect, 2 x 128 KiB ureq buffers, request build, until sendto()",
            lambda c, n, a: n == "sendto",
        ),
        ("server round trip (emulator on the same 2 cores)", lambda c, n, a: n == "recvfrom"),
        (
            "response parse and JSON output, until write(1)",
            lambda c, n, a: n == "write" and "fd: 1" in a,
        ),
        ("close, free, exit", lambda c, n, a: n == "exit_group"),
    ]
    runs: list[list[float]] = []
    for _ in range(repeats):
        done = subprocess.run(
            ["perf", "trace", "-e", syscalls, "--", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            text=True,
            timeout=60,
            check=False,
        )
        events = []
        for line in done.stderr.splitlines():
            match = line_re.match(line)
            if match:
                events.append(
                    (float(match.group(1)), match.group(2), match.group(4), match.group(5))
                )
        events.sort()
        times, start = [], 0
        for _label, predicate in marks:
            found = next((i for i in range(start, len(events)) if predicate(*events[i][1:])), None)
            if found is None:
                break
            times.append(events[found][0])
            start = found
        if len(times) == len(marks):
            runs.append(times)
    if not runs:
        return None
    rows = ["| phase | median ms |", "|---|---:|"]
    previous = [0.0] * len(runs)
    for index, (label, _) in enumerate(marks):
        phase = statistics.median(r[index] - p for r, p in zip(runs, previous, strict=True))
        rows.append(f"| {label} | {phase:.2f} |")
        previous = [r[index] for r in runs]
    rows.append(
        f"| **total (exec to exit_group)** | {statistics.median(r[-1] for r in runs):.2f} |"
    )
    rows.append(
        f"\n({len(runs)} runs under `perf trace -e {syscalls}`; tracing inflates each phase a "
        "little, and the phase medians need not add up to the median total)"
    )
    return rows


def run(cmds: list[Command], env: dict[str, str], cwd: str, quick: bool) -> None:
    by_key = {c.key: c for c in cmds}
    repeats = 10 if quick else 50

    print("\n## 1. CPU time per process (`perf stat`)\n")
    if shutil.which("perf") is None:
        print("perf is not installed (Debian: linux-perf); skipped.")
    else:
        rows = [
            "| command | task-clock ms | page faults | context switches |",
            "|---|---:|---:|---:|",
        ]
        for key in STAT_KEYS:
            c = by_key[key]
            v = perf_stat(c.argv, env, cwd, repeats)
            if "task-clock" not in v:
                rows = ["perf stat is not supported here; skipped."]
                break
            rows.append(
                f"| {c.label} | {v['task-clock']:.2f} | {v.get('page-faults', 0):.0f} "
                f"| {v.get('context-switches', 0):.1f} |"
            )
        print("\n".join(rows))
        print(f"\n(mean of {repeats} runs each)")

    print("\n## 2. Instructions per shared object (`valgrind --tool=callgrind`)\n")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed; skipped.")
    else:
        with tempfile.TemporaryDirectory(prefix="aws-sso-callgrind.") as scratch:
            objects = ["ld.so", "libc", "aws-sso"]
            rows = [
                "| command | total | " + " | ".join(objects) + " | other |",
                "|---|---:|" + "---:|" * (len(objects) + 1),
            ]
            top: collections.Counter = collections.Counter()
            for key in CALLGRIND_KEYS:
                c = by_key[key]
                out = Path(scratch) / f"{key}.out"
                subprocess.run(
                    ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *c.argv],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                    cwd=cwd,
                    timeout=120,
                    check=False,
                )
                by_object, by_function = callgrind_costs(out)
                total = sum(by_object.values())
                split = collections.Counter()
                for obj, cost in by_object.items():
                    short = short_object(obj)
                    split[short if short in objects else "other"] += cost
                cells = " | ".join(f"{split[o] / 1000:,.0f}k" for o in [*objects, "other"])
                rows.append(f"| {c.label} | {total / 1000:,.0f}k | {cells} |")
                if key == TIMELINE_KEY:
                    top, top_total = by_function, total
            print("\n".join(rows))
            if top:
                print(f"\nTop functions of `{by_key[TIMELINE_KEY].label}` (self cost):\n")
                print("| instructions | share | function | object |\n|---:|---:|---|---|")
                for (obj, fn), cost in top.most_common(12):
                    print(
                        f"| {cost / 1000:,.0f}k | {100 * cost / top_total:.1f}% | `{fn}` "
                        f"| {short_object(obj)} |"
                    )

    print(f"\n## 3. Timeline of `{by_key[TIMELINE_KEY].label}` (`perf trace`)\n")
    rows = None
    if shutil.which("perf") is not None:
        rows = timeline(by_key[TIMELINE_KEY].argv, env, cwd, 7 if quick else 25)
    print("\n".join(rows) if rows else "perf trace is not available here; skipped.")
