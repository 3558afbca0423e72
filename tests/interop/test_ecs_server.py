"""Issue #9: `aws-sso exec --ecs-server` serves the container credentials endpoint to the real
SDK providers.

* boto3's container provider (botocore `ContainerProvider`) resolves credentials from it, and with
  role credentials that live only a few seconds, a child that keeps asking gets renewed
  credentials every time and never an expired one.
* Requests without the authorization token, or with another one, are refused.
* AWS CLI v1 inside the exec sees a `container-role` access key in `aws configure list`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import AWS_CLI, SSO_PROFILES, run_aws_sso

# Role credentials live 3 s, so every one is inside the SDKs' refresh windows from the start.
pytestmark = pytest.mark.emulator_args("--auto-approve", "demo", "--role-credentials-ttl", "3")

CHILD = r"""
import datetime, json, os, time, urllib.error, urllib.request
import boto3

session = boto3.session.Session()
creds = session.get_credentials()
seen = []
for _ in range(5):
    frozen = creds.get_frozen_credentials()
    now = datetime.datetime.now(datetime.timezone.utc)
    seen.append({"method": creds.method, "key": frozen.access_key, "left": (creds._expiry_time - now).total_seconds()})
    time.sleep(1.2)

def status(token):
    request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    if token is not None:
        request.add_header("Authorization", token)
    try:
        return urllib.request.urlopen(request, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code

print(json.dumps({"seen": seen, "missing": status(None), "wrong": status("x" * 43), "right": status(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])}))
"""


@pytest.fixture
def box(sandbox, emu):
    sandbox.write_config(SSO_PROFILES)
    proc = run_aws_sso("login", "--profile", "dev", "--use-device-code", "--no-browser", env=sandbox.env)
    assert proc.returncode == 0, proc.stderr.decode()
    sandbox.emu = emu
    return sandbox


def test_boto3_container_provider_gets_renewed_credentials(box):
    proc = run_aws_sso("exec", "--profile", "dev", "--ecs-server", "--", sys.executable, "-c", CHILD, env=box.env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    got = json.loads(proc.stdout)
    seen = got["seen"]
    assert all(s["method"] == "container-role" for s in seen), seen
    assert all(s["left"] > 0 for s in seen), seen
    # Every ask came after the previous credentials' 3 s had nearly run out: all renewed.
    assert len({s["key"] for s in seen}) == len(seen), seen
    assert (got["missing"], got["wrong"], got["right"]) == (403, 403, 200), got
    assert box.emu.counters()["GetRoleCredentials"] >= len(seen)


def test_aws_cli_v1_sees_a_container_role(box):
    proc = run_aws_sso(
        "exec", "--profile", "dev", "--ecs-server", "--", str(AWS_CLI), "configure", "list", env=box.env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("access_key"))
    assert "container-role" in line, text
