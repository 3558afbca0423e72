"""scripts/demo, the guided tour, run as a user would (with the binaries already built): every
numbered step runs and shows what it promises, and afterwards no process and no temporary
directory is left behind.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from support import BIN_DIR, REPO, START_URL

DEMO = REPO / "scripts" / "demo"
STEPS = [
    "1. A profile that uses an [sso-session], exactly as the AWS CLI writes it",
    "2. Sign in",
    "3. The token is cached where the AWS CLI and every SDK look for it",
    "4. List your accounts",
    "5. List the roles you can assume in one account",
    "6. Every role in every account at once",
    "7. Write profiles",
    "8. Get short-term credentials for a role",
    "9. Credentials for any tool",
    "10. Run a command with them",
    "11. Sign in to the AWS console",
    "12. Sign out",
    "13. After sign-out, the cached token is gone",
]


def session_members(sid: int) -> list[str]:
    """Processes still alive in session `sid` (as "pid command")."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(f"{entry.name} {stat.split('(', 1)[1].rsplit(')', 1)[0]}")
    return out


@pytest.fixture
def demo_run(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = dict(os.environ, DEMO_SKIP_BUILD="1", SSO_BIN_DIR=str(BIN_DIR), NO_COLOR="1", TMPDIR=str(tmpdir))
    proc = subprocess.Popen(
        ["bash", str(DEMO)],
        cwd=str(tmp_path),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"scripts/demo did not finish within 90 s:\n{out.decode()}\n{err.decode()}")
    return proc, out.decode(), err.decode(), tmpdir


def test_demo_runs_every_step_and_cleans_up(demo_run):
    proc, out, err, tmpdir = demo_run
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n--- stderr ---\n{err}"

    headers = [ln[3:] for ln in out.splitlines() if ln.startswith("== ")]
    numbered = [h for h in headers if re.match(r"\d+\. ", h)]
    assert len(numbered) == len(STEPS) and all(h.startswith(step) for h, step in zip(numbered, STEPS)), headers
    assert headers[-1].startswith("Done."), headers

    assert f"Successfully logged into Start URL: {START_URL}\n" in out
    # Step 4: the ListAccounts table, with the non-ASCII name and the long e-mail address.
    table = [ln for ln in out.splitlines() if ln.startswith("|")]
    assert re.fullmatch(r"\|\s+ListAccounts\s+\|", table[0]), table
    assert any(re.fullmatch(r"\|\|\s+111111111111\|\s+dev\s+\|\s+dev@example\.com\s+\|\|", ln) for ln in table), table
    assert any("Überwachung 監査" in ln for ln in table) and any("+root@subsidiary.example.com" in ln for ln in table)
    # Step 5: text output, one ROLELIST line per role.
    assert re.findall(r"^ROLELIST\t.*$", out, re.M) == [
        "ROLELIST\t111111111111\tAdministratorAccess",
        "ROLELIST\t111111111111\tReadOnly",
        "ROLELIST\t111111111111\tPowerUserAccess",
    ]
    # Step 6: every role of every account, as text rows.
    assert "111111111111\tdev\tAdministratorAccess\n111111111111\tdev\tReadOnly\n" in out, out
    assert "aws sts get-caller-identity --profile prod-readonly\n" in out, out
    assert re.search(r"^No problems found", out, re.M), out
    assert re.search(r"^Wrote 13 profiles for sso-session demo to \S+/config: 13 added, 0 updated, 0 removed\.$", out, re.M), out
    assert "[profile prod.ReadOnly]\nsso_session = demo\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\n" in out, out
    # Step 7: the --query result.
    assert re.search(r'^    "AccessKeyId": "ASIA[A-Z2-7]{16}",\n    "Expiration": \d{13}\n\}$', out, re.M), out
    # Steps 8 and 9: export-credentials and exec.
    assert re.search(r"^AWS_ACCESS_KEY_ID=ASIA[A-Z2-7]{16}$", out, re.M), out
    assert re.search(r"^AWS_CREDENTIAL_EXPIRATION=20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", out, re.M), out
    assert re.search(r"^key ASIA[A-Z2-7]{16} in us-east-1, expires 20\S+\+00:00$", out, re.M), out
    # Step 10: the console sign-in.
    assert "Signed in to account 111111111111 (dev) with role ReadOnly as demo." in out, out
    # Step 12: the command fails the way the AWS CLI does, with its message on stderr.
    assert "exit status 255 (255: the same code the AWS CLI gives)" in out
    assert err == "\naws: [ERROR]: Error loading SSO Token: Token for demo does not exist\nTo sign in, run: aws-sso login --sso-session demo\n", err
    assert "\x1b[" not in out, "NO_COLOR=1 must turn the highlighting off"

    # Nothing left behind: the sandbox it printed, the emulator it started, any temp directory.
    m = re.search(r"^\$ ls -l (\S+)/home/\.aws/sso/cache$", out, re.M)
    assert m, out
    sandbox = Path(m.group(1))
    assert sandbox.parent == tmpdir and not sandbox.exists(), sandbox
    assert list(tmpdir.iterdir()) == []
    assert session_members(proc.pid) == []
    url = re.search(r"^Listening on (http://127\.0\.0\.1:\d+)$", out, re.M)
    assert url, out
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex(("127.0.0.1", urllib.parse.urlsplit(url.group(1)).port)) != 0, "the emulator still listens"
