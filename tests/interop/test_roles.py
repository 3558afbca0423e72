"""Issue #11: `aws-sso roles` beside the real clients.

* The (accountId, accountName, roleName) list equals what boto3's own paginators find on the
  same emulator, in the same order (ListAccounts order, then ListAccountRoles order), and the
  token aws-sso used is the one boto3 reads from the shared cache.
* On a terminal, stderr shows a progress line (accounts done / total, rate, time left) that is
  erased at the end; the JSON on stdout is untouched by it.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time

import pytest

from support import AWS_SSO_BIN, SSO_PROFILES, run_aws_sso

# A throttle, so the progress line has time to be seen; the boto3 comparison runs unthrottled
# (boto3's own paginators, with the suite's no-retry client, would trip over it).
THROTTLED = pytest.mark.emulator_args("--auto-approve", "demo", "--synthetic-accounts", "60", "--rate-limit", "portal=20")
UNTHROTTLED = pytest.mark.emulator_args("--auto-approve", "demo", "--synthetic-accounts", "60")

ERASE = b"\r\x1b[2K"


@pytest.fixture
def box(sandbox, emu):
    sandbox.write_config(SSO_PROFILES)
    proc = run_aws_sso("login", "--profile", "dev", "--use-device-code", "--no-browser", env=sandbox.env)
    assert proc.returncode == 0, proc.stderr.decode()
    sandbox.emu = emu
    return sandbox


@UNTHROTTLED
def test_the_list_is_what_boto3_paginators_find(box, boto3_client):
    proc = run_aws_sso("roles", "--profile", "dev", env=box.env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    ours = [(r["accountId"], r["accountName"], r["roleName"]) for r in json.loads(proc.stdout)["roles"]]

    tokens = [json.loads(p.read_text()) for p in box.token_cache.glob("*.json")]
    token = next(t["accessToken"] for t in tokens if "accessToken" in t)
    sso = boto3_client("sso", box.emulator_url)
    theirs = []
    for page in sso.get_paginator("list_accounts").paginate(accessToken=token):
        for account in page["accountList"]:
            for roles in sso.get_paginator("list_account_roles").paginate(accessToken=token, accountId=account["accountId"]):
                theirs.extend((account["accountId"], account["accountName"], r["roleName"]) for r in roles["roleList"])
    assert ours == theirs
    assert len(ours) > 120


@THROTTLED
def test_a_terminal_sees_a_progress_line_that_is_erased_at_the_end(box):
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(AWS_SSO_BIN), "roles", "--profile", "dev", "--refresh"],
        env=box.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == 0, seen.decode(errors="replace")
    assert len(json.loads(out)["roles"]) > 120
    text = seen.decode()
    assert "Listing roles: " in text and "/66 accounts" in text, text
    assert "requests/s" in text and " left" in text, text
    # Every redraw starts by erasing the line, the run ends by erasing it, and nothing else is
    # written: the terminal is left as it was.
    assert seen.endswith(ERASE), seen[-80:]
    assert all(piece.startswith(b"Listing ") for piece in seen.split(ERASE) if piece), seen[:200]
    assert b"\n" not in seen
