"""The emulator as a process, per its fixed contract: the READY line and a silent stdout, clean shutdown
on SIGINT/SIGTERM, control routes only with --enable-control, --state persistence across restarts,
--directory, --auto-approve, the counters, and --help documenting every option.
"""

from __future__ import annotations

import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from support import (
    CLIENT_KINDS,
    EMULATOR_BIN,
    REG_DEVICE,
    REG_PKCE,
    START_URL,
    DEVICE_GRANT,
    authorize_url,
    device_tokens,
    expect_error,
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


DIRECTORY = Path(__file__).parent / "data" / "directory.toml"
CAROL_START_URL = "https://d-1234567890.awsapps.com/start"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("clients", ["env"], indirect=True)
@pytest.mark.emulator_args("--directory", str(DIRECTORY))
def test_custom_directory(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=CAROL_START_URL)
    emu.approve(dev["userCode"], "carol")
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])["accessToken"]

    accounts = clients.call(kind, "sso", "ListAccounts", accessToken=tok)["accountList"]
    assert accounts == [{"accountId": "333333333333", "accountName": "sandbox", "emailAddress": "sandbox@example.com"}]
    roles = clients.call(kind, "sso", "ListAccountRoles", accessToken=tok, accountId="333333333333")["roleList"]
    assert sorted(r["roleName"] for r in roles) == ["Admin Access", "ReadOnly"]
    # botocore sends role_name=Admin%20Access (wire-protocol §14.3); the emulator must decode it.
    creds = clients.call(kind, "sso", "GetRoleCredentials", accessToken=tok, accountId="333333333333", roleName="Admin Access")
    assert creds["roleCredentials"]["accessKeyId"].startswith("ASIA")
    assert "role_name=Admin%20Access" in emu.requests()[-1]["query"]
    err = expect_error(clients.call, kind, "sso", "GetRoleCredentials", accessToken=tok, accountId="444444444444", roleName="ReadOnly")
    assert (err.code, err.message) == ("ForbiddenException", "No access")


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
