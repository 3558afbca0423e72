"""Issue #9: role credentials for every tool, through the real clients.

* boto3 with `credential_process = aws-sso export-credentials --profile dev` gets the role
  credentials aws-sso cached in AWS CLI v2's role cache, and botocore marks them as coming from a
  credential process.
* 100 boto3 processes started at once against a cold role cache make exactly one
  GetRoleCredentials call between them, and every one of them gets credentials.
* AWS CLI v1 resolves the same profile through the same credential_process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import AWS_CLI, AWS_SSO_BIN, SSO_PROFILES, run_aws_sso

pytestmark = pytest.mark.emulator_args("--auto-approve", "demo")

# sha1('{"accountId":"111111111111","roleName":"ReadOnly","sessionName":"my-sso"}') (cli-behavior §2.7).
DEV_ROLE_FILE = "7656329665c70f26bb8dc6f65f498aa9de8da4e0.json"

# Prints the frozen credentials boto3 resolves for profile `tool`, and the provider it used.
RESOLVE = """
import json, boto3
session = boto3.session.Session(profile_name="tool")
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
print(json.dumps({"method": creds.method, "key": frozen.access_key, "secret": frozen.secret_key, "token": frozen.token}))
"""


@pytest.fixture
def box(sandbox, emu):
    sandbox.write_config(
        SSO_PROFILES
        + f"""
[profile tool]
credential_process = {AWS_SSO_BIN} export-credentials --profile dev
region = us-east-1
"""
    )
    proc = run_aws_sso("login", "--profile", "dev", "--use-device-code", "--no-browser", env=sandbox.env)
    assert proc.returncode == 0, proc.stderr.decode()
    sandbox.emu = emu
    return sandbox


def role_calls(emu) -> int:
    return emu.counters().get("GetRoleCredentials", 0)


def resolve(box) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RESOLVE], env=box.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_boto3_reads_the_credential_process(box):
    proc = resolve(box)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    got = json.loads(out)
    assert got["method"] == "custom-process", got
    cached = json.loads((box.home / ".aws" / "cli" / "cache" / DEV_ROLE_FILE).read_text())["Credentials"]
    assert (got["key"], got["secret"], got["token"]) == (cached["AccessKeyId"], cached["SecretAccessKey"], cached["SessionToken"])
    assert role_calls(box.emu) == 1


def test_a_hundred_parallel_boto3_processes_make_one_call(box):
    assert role_calls(box.emu) == 0
    procs = [resolve(box) for _ in range(100)]
    results = [p.communicate(timeout=300) for p in procs]
    failures = [err.decode() for p, (_, err) in zip(procs, results) if p.returncode != 0]
    assert failures == [], failures[:3]
    keys = {json.loads(out)["key"] for out, _ in results}
    assert len(keys) == 1, keys
    assert role_calls(box.emu) == 1


def test_aws_cli_v1_resolves_the_same_profile(box):
    proc = subprocess.run(
        [str(AWS_CLI), "configure", "list", "--profile", "tool"], env=box.env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("access_key"))
    assert "custom-process" in line, text
    cached = json.loads((box.home / ".aws" / "cli" / "cache" / DEV_ROLE_FILE).read_text())["Credentials"]
    assert cached["AccessKeyId"][-4:] in line, text
