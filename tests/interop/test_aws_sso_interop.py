"""Issue #4: aws-sso and the real AWS clients share one SSO token cache, both ways.

* After `aws-sso login` (device code with an auto-approving emulator, and PKCE with curl as the
  browser, following /authorize to aws-sso's loopback listener), boto3's own SSO credential
  provider (`Session(profile_name=...)`) gets role credentials from our token file, for an
  sso-session profile and a legacy profile.
* botocore's own refresh of a near-expiry token rewrites our file, and aws-sso then uses the token
  botocore wrote (seen in the emulator's request log).
* Token files in botocore's format (cli-behavior §2.2, §2.5 timestamp forms) are read by aws-sso.
* AWS CLI v1 accepts an aws-sso token (`aws sso list-accounts --access-token`) and prints what
  aws-sso prints for the profile.
* No access token, refresh token or client secret the emulator ever issued appears in aws-sso's
  stdout or stderr (every run in this file is checked), with or without --debug, on success and
  error paths.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from support import (
    AWS_CLI,
    REG_DEVICE,
    REG_LEGACY,
    SESSION_NAME,
    SSO_PROFILES,
    START_URL,
    parse_stamp,
    run_aws_sso,
    token_file,
    utc_stamp,
)

pytestmark = pytest.mark.emulator_args("--auto-approve", "demo")

BUILTIN_ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"]


# The "browser" of scripts/demo: fetches the /authorize URL and follows the auto-approving
# emulator's redirect to aws-sso's loopback listener.
CURL_BROWSER = "curl -s -L -o /dev/null"


@pytest.fixture
def box(sandbox, emu):
    """The sandbox with profiles `dev` (sso-session my-sso) and `legacy`, and curl as the browser."""
    if not shutil.which("curl"):
        pytest.fail("curl is needed as the stand-in browser (apt-get install curl)")
    sandbox.write_config(SSO_PROFILES)
    sandbox.env["AWS_SSO_TEST_BROWSER"] = CURL_BROWSER
    sandbox.emu = emu
    return sandbox


def sso(box, *args, extra_env=None, expect=0):
    """Runs aws-sso; checks its exit code and that its output holds no secret issued so far."""
    proc = run_aws_sso(*args, env={**box.env, **(extra_env or {})}, timeout=60)
    assert proc.returncode == expect, f"aws-sso {' '.join(args)} exited {proc.returncode}, expected {expect}:\n{proc.stderr.decode()}"
    assert_no_secret(box.emu, " ".join(args), proc)
    return proc


def read_json(path) -> dict:
    return json.loads(path.read_text())


def boto3_credentials(profile: str):
    import boto3

    creds = boto3.session.Session(profile_name=profile).get_credentials()
    assert creds is not None
    return creds.get_frozen_credentials()


def since(emu, start: int) -> list[dict]:
    return emu.requests()[start:]


LOGINS = {
    "sso-session-pkce": (["login", "--profile", "dev"], "dev", SESSION_NAME),
    "sso-session-device": (["login", "--profile", "dev", "--use-device-code"], "dev", SESSION_NAME),
    "legacy-device": (["login", "--profile", "legacy"], "legacy", START_URL),
}


@pytest.mark.parametrize("login", LOGINS, ids=list(LOGINS))
def test_boto3_credential_provider_uses_aws_sso_token(box, emu, login):
    args, profile, key = LOGINS[login]
    out = sso(box, *args).stdout.decode()
    assert out.endswith(f"Successfully logged into Start URL: {START_URL}\n"), out
    token = read_json(token_file(box.home, key))

    start = len(emu.requests())
    creds = boto3_credentials(profile)

    assert creds.access_key.startswith("ASIA") and len(creds.secret_key) == 40 and creds.token, creds
    # A fresh token: botocore neither refreshes nor re-registers, it only presents our token.
    (call,) = since(emu, start)
    account = "111111111111" if profile == "dev" else "222222222222"
    assert (call["operation"], call["status"]) == ("GetRoleCredentials", 200), call
    assert call["headers"]["x-amz-sso_bearer_token"] == token["accessToken"]
    assert call["query"] == f"role_name=ReadOnly&account_id={account}"


def test_botocore_refresh_rewrites_our_file_and_aws_sso_uses_it(box, emu):
    sso(box, "login", "--profile", "dev")
    path = token_file(box.home, SESSION_NAME)
    ours = read_json(path)
    ours["expiresAt"] = utc_stamp(time.time() + 300)
    path.write_text(json.dumps(ours))

    start = len(emu.requests())
    assert boto3_credentials("dev").access_key.startswith("ASIA")
    refresh, get_creds = since(emu, start)
    assert (refresh["operation"], refresh["status"], refresh["body"]["grantType"]) == ("CreateToken", 200, "refresh_token")
    assert refresh["body"]["refreshToken"] == ours["refreshToken"]

    botocores = read_json(path)
    assert list(botocores) == ["startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret", "registrationExpiresAt", "refreshToken"]
    assert botocores["accessToken"] != ours["accessToken"] and botocores["refreshToken"] != ours["refreshToken"]
    assert botocores["accessToken"] == get_creds["headers"]["x-amz-sso_bearer_token"]
    assert parse_stamp(botocores["expiresAt"]) - parse_stamp(ours["expiresAt"]) > 3000

    start = len(emu.requests())
    listed = json.loads(sso(box, "list-accounts", "--profile", "dev").stdout)
    assert [a["accountId"] for a in listed["accountList"]] == BUILTIN_ACCOUNTS
    creds = json.loads(sso(box, "get-role-credentials", "--profile", "dev", "--account-id", "111111111111", "--role-name", "ReadOnly").stdout)
    assert creds["roleCredentials"]["accessKeyId"].startswith("ASIA")
    calls = since(emu, start)
    # aws-sso sends botocore's new token and has no reason to refresh it again.
    assert [(c["operation"], c["status"]) for c in calls] == [("ListAccounts", 200), ("GetRoleCredentials", 200)], calls
    assert {c["headers"]["x-amz-sso_bearer_token"] for c in calls} == {botocores["accessToken"]}
    assert read_json(path) == botocores


def botocore_token_file(tokens, expires_at: str, legacy: bool) -> str:
    """A token file exactly as botocore writes it: json.dumps defaults, insertion order (§2.2)."""
    body = {"startUrl": START_URL, "region": "us-east-1", "accessToken": tokens["accessToken"], "expiresAt": expires_at}
    if not legacy:
        body.update(
            clientId=tokens["clientId"],
            clientSecret=tokens["clientSecret"],
            registrationExpiresAt=utc_stamp(tokens["clientSecretExpiresAt"]),
            refreshToken=tokens["refreshToken"],
        )
    return json.dumps(body)


def boto3_device_tokens(emu, registration) -> dict:
    import boto3

    oidc = boto3.session.Session(region_name="us-east-1").client("sso-oidc", endpoint_url=emu.url)
    reg = oidc.register_client(**registration)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=dev["deviceCode"])
    return {**reg, **tok}


# Timestamp forms that readers must accept (cli-behavior §2.5): botocore's own, and older writers'.
STAMPS = {
    "Z": lambda t: utc_stamp(t),
    "UTC-suffix": lambda t: utc_stamp(t)[:-1] + "UTC",
    "offset": lambda t: utc_stamp(t)[:-1] + "+00:00",
    "fraction": lambda t: utc_stamp(t)[:-1] + ".250000Z",
}


@pytest.mark.parametrize("stamp", STAMPS, ids=list(STAMPS))
@pytest.mark.parametrize("kind", ["sso-session", "legacy"])
def test_aws_sso_reads_token_file_in_botocore_format(box, emu, kind, stamp):
    legacy = kind == "legacy"
    tokens = boto3_device_tokens(emu, REG_LEGACY if legacy else REG_DEVICE)
    path = token_file(box.home, START_URL if legacy else SESSION_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(botocore_token_file(tokens, STAMPS[stamp](time.time() + 3000), legacy))

    start = len(emu.requests())
    selector = ["--profile", "legacy"] if legacy else ["--sso-session", SESSION_NAME]
    listed = json.loads(sso(box, "list-accounts", *selector).stdout)
    roles = json.loads(sso(box, "list-account-roles", "--profile", "legacy" if legacy else "dev", "--account-id", "111111111111").stdout)

    assert [a["accountId"] for a in listed["accountList"]] == BUILTIN_ACCOUNTS
    assert [r["roleName"] for r in roles["roleList"]] == ["AdministratorAccess", "ReadOnly", "PowerUserAccess"]
    calls = since(emu, start)
    assert [(c["operation"], c["status"]) for c in calls] == [("ListAccounts", 200), ("ListAccountRoles", 200)], calls
    assert {c["headers"]["x-amz-sso_bearer_token"] for c in calls} == {tokens["accessToken"]}


@pytest.mark.parametrize("login", ["sso-session-pkce", "legacy-device"])
def test_aws_cli_v1_accepts_aws_sso_token(box, emu, login):
    args, profile, key = LOGINS[login]
    sso(box, *args)
    token = read_json(token_file(box.home, key))["accessToken"]

    v1 = subprocess.run(
        [str(AWS_CLI), "sso", "list-accounts", f"--access-token={token}", "--endpoint-url", emu.url, "--output", "json"],
        env=box.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert v1.returncode == 0, v1.stderr.decode()
    ours = sso(box, "list-accounts", "--profile", profile)
    assert [a["accountId"] for a in json.loads(v1.stdout)["accountList"]] == BUILTIN_ACCOUNTS
    # Same token, same service, same formatter: byte-identical output.
    assert ours.stdout == v1.stdout


# --------------------------------------------------------------------------------------------------
# Secrets never reach the terminal


def secret_fragments(issued: dict) -> set[str]:
    """Every secret value the emulator issued, plus its long parts (a token is `aoa<id>:<mac>`, a
    client secret a JWT `header.payload.signature`): printing half a secret is a leak too. The
    JWT header is the same for every client secret and is not secret, so it is left out."""
    out: set[str] = set()
    for value in issued["access_tokens"] + issued["refresh_tokens"] + issued["client_secrets"]:
        out.add(value)
        parts = value.split(".") if value.count(".") == 2 else value.split(":")
        out.update(p for p in parts[1 if value.count(".") == 2 else 0 :] if len(p) >= 16)
    return out


def test_no_secret_in_aws_sso_output(box, emu):
    runs: list[tuple[str, subprocess.CompletedProcess]] = []

    def run(*args, extra_env=None, expect=0):
        for debug in ([], ["--debug"]):
            proc = sso(box, *args, *debug, extra_env=extra_env, expect=expect)
            runs.append((" ".join([*args, *debug]), proc))
        return proc

    run("login", "--profile", "dev")
    run("login", "--profile", "dev", "--use-device-code")
    run("login", "--profile", "legacy")
    run("list-accounts", "--profile", "dev")
    run("list-accounts", "--profile", "legacy", "--output", "text")
    run("list-account-roles", "--profile", "dev", "--account-id", "555555555555", "--output", "table")
    run("get-role-credentials", "--profile", "dev", "--account-id", "111111111111", "--role-name", "ReadOnly", "--output", "yaml")
    # The refresh path (aws-sso's clock pinned inside the refresh window).
    expires = parse_stamp(read_json(token_file(box.home, SESSION_NAME))["expiresAt"])
    run("list-accounts", "--profile", "dev", extra_env={"AWS_SSO_TEST_NOW": utc_stamp(expires - 300)})
    # Error paths: a role the user lacks (403), then every session revoked (401).
    run("get-role-credentials", "--profile", "dev", "--account-id", "111111111111", "--role-name", "Billing", expect=254)
    assert emu.revoke(user="demo") >= 1
    run("list-accounts", "--profile", "legacy", expect=254)
    run("logout")

    issued = emu.issued()
    assert issued["access_tokens"] and issued["refresh_tokens"] and issued["client_secrets"], issued
    # --debug really logs (endpoints, registration reuse, cache writes), so it is worth scanning.
    assert any(b"[DEBUG]" in p.stderr for cmd, p in runs if cmd.endswith("--debug")), runs
    # Each run was checked as it finished; once more against the final list of everything issued.
    for cmd, proc in runs:
        assert_no_secret(emu, cmd, proc, issued)


def assert_no_secret(emu, cmd: str, proc: subprocess.CompletedProcess, issued: dict | None = None) -> None:
    fragments = secret_fragments(issued or emu.issued())
    for stream, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        text = data.decode("utf-8", errors="replace")
        leaked = sorted(f for f in fragments if f in text)
        assert not leaked, f"`aws-sso {cmd}` printed a secret on {stream}: {[f[:12] + '…' for f in leaked]}"
