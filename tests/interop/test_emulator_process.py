"""The emulator as a process, per its fixed contract: the READY line and a silent stdout, clean shutdown
on SIGINT/SIGTERM, control routes only with --enable-control, --state persistence across restarts,
--directory, --auto-approve, the counters, and --help documenting every option.
"""

from __future__ import annotations

import signal
import subprocess
import uuid

import pytest

from support import (
    EMULATOR_BIN,
    REG_DEVICE,
    REG_PKCE,
    START_URL,
    DEVICE_GRANT,
    authorize_url,
    device_tokens,
    free_port,
    make_verifier,
    new_http_session,
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_ready_line_then_silent_stdout_and_clean_shutdown(emulator_factory, boto3_client, sig):
    emu = emulator_factory()
    assert emu.url == f"http://127.0.0.1:{emu.port}" and emu.port > 0
    boto3_client("sso-oidc", emu.url).register_client(**REG_DEVICE)  # some traffic, which logs to stderr only
    assert emu.stop(sig) == 0, emu.stderr_text()
    assert emu.extra_stdout() == []


def test_control_routes_are_off_by_default(emulator_factory):
    emu = emulator_factory(control=False)
    for method, path, body in [
        ("GET", "/_emulator/counters", None),
        ("GET", "/_emulator/requests", None),
        ("POST", "/_emulator/device/approve", {"user_code": "BCDF-GHJK", "user": "demo"}),
        ("POST", "/_emulator/clock/advance", {"seconds": 10}),
    ]:
        status, _ = emu.control(method, path, body)
        assert status == 404, (method, path, status)


def test_counters_count_api_requests_per_operation(emu, oidc, portal):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    portal.list_accounts(accessToken=tokens.access_token)
    portal.list_accounts(accessToken=tokens.access_token)
    counters = emu.counters()
    expected = {"RegisterClient": 1, "StartDeviceAuthorization": 1, "CreateToken": 1, "ListAccounts": 2}
    assert {k: counters.get(k) for k in expected} == expected, counters
    assert not counters.get("GetRoleCredentials"), counters


def test_state_survives_a_restart(emulator_factory, boto3_client, tmp_path):
    state = tmp_path / "emulator.redb"
    first = emulator_factory("--state", str(state))
    tokens = device_tokens(first, boto3_client("sso-oidc", first.url), REG_DEVICE)
    assert first.stop() == 0
    second = emulator_factory("--state", str(state))
    portal = boto3_client("sso", second.url)
    assert portal.list_accounts(accessToken=tokens.access_token)["accountList"]
    oidc = boto3_client("sso-oidc", second.url)
    refreshed = oidc.create_token(clientId=tokens.client_id, clientSecret=tokens.client_secret, grantType="refresh_token", refreshToken=tokens.refresh_token)
    assert refreshed["accessToken"]


DIRECTORY = """
start_url = "https://d-1234567890.awsapps.com/start"
region = "us-east-1"

[[users]]
name = "carol"
password = "carol-password"

[[accounts]]
id = "333333333333"
name = "sandbox"
email = "sandbox@example.com"

[[accounts]]
id = "444444444444"
name = "not-carols"
email = "other@example.com"

[[assignments]]
user = "carol"
account = "333333333333"
roles = ["ReadOnly", "Deployer"]
"""


def test_custom_directory(emulator_factory, boto3_client, tmp_path):
    path = tmp_path / "directory.toml"
    path.write_text(DIRECTORY)
    emu = emulator_factory("--directory", str(path))
    oidc = boto3_client("sso-oidc", emu.url)
    portal = boto3_client("sso", emu.url)
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl="https://d-1234567890.awsapps.com/start")
    emu.approve(dev["userCode"], "carol")
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])["accessToken"]

    assert portal.list_accounts(accessToken=tok)["accountList"] == [{"accountId": "333333333333", "accountName": "sandbox", "emailAddress": "sandbox@example.com"}]
    roles = portal.list_account_roles(accessToken=tok, accountId="333333333333")["roleList"]
    assert sorted(r["roleName"] for r in roles) == ["Deployer", "ReadOnly"]
    assert portal.get_role_credentials(accessToken=tok, accountId="333333333333", roleName="Deployer")["roleCredentials"]["accessKeyId"].startswith("ASIA")


def test_auto_approve(emulator_factory, boto3_client):
    emu = emulator_factory("--auto-approve", "demo")
    oidc = boto3_client("sso-oidc", emu.url)
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    # The CLIs' first poll, before any prompt, already succeeds (cli-behavior §3.5 step 2).
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    assert tok["accessToken"]

    pkce = oidc.register_client(**REG_PKCE)
    redirect_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
    state = str(uuid.uuid4())
    r = new_http_session().get(authorize_url(emu.url, pkce["clientId"], redirect_uri, state, make_verifier()), allow_redirects=False, timeout=20)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    location = r.headers["Location"]
    assert location.startswith(redirect_uri + "?") and "code=" in location and f"state={state}" in location, location


def test_help_documents_every_option():
    out = subprocess.run([str(EMULATOR_BIN), "--help"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    for flag in [
        "--host", "--port", "--directory", "--synthetic-accounts", "--synthetic-roles", "--state",
        "--access-token-ttl", "--legacy-token-ttl", "--session-ttl", "--registration-ttl", "--device-code-ttl",
        "--device-poll-interval", "--auth-code-ttl", "--role-credentials-ttl", "--page-size", "--latency-ms",
        "--rate-limit", "--error-rate", "--seed", "--auto-approve", "--enable-control",
    ]:  # fmt: skip
        assert flag in out.stdout, f"--help does not mention {flag}"
