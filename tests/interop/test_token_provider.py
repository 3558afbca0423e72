"""botocore's own SSO credential and token providers against the emulator: boto3 Session(profile_name=...)
with an sso-session profile whose cached token (written here in botocore's format, cli-behavior §2.2)
is near expiry refreshes it with CreateToken(refresh_token) and then gets role credentials; legacy
profiles; and the provider's own error messages (cli-behavior §4, wire-protocol §4.3, §14.7).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from support import REG_DEVICE, REG_LEGACY, START_URL, device_tokens

SESSION = "my-sso"
EXPIRED_MSG = (
    "The SSO session associated with this profile has expired or is otherwise invalid. "
    "To refresh this SSO session run aws sso login with the corresponding profile."
)


def stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def write_token(sandbox, key: str, body: dict) -> None:
    sandbox.token_cache.mkdir(parents=True, exist_ok=True)
    path = sandbox.token_cache / (hashlib.sha1(key.encode()).hexdigest() + ".json")
    path.write_text(json.dumps(body))


def read_token(sandbox, key: str) -> dict:
    return json.loads((sandbox.token_cache / (hashlib.sha1(key.encode()).hexdigest() + ".json")).read_text())


def session_profile(sandbox, role: str, account: str = "111111111111") -> None:
    sandbox.write_config(
        f"""
[profile interop]
sso_session = {SESSION}
sso_account_id = {account}
sso_role_name = {role}
region = us-east-1

[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""
    )


def frozen_credentials(profile: str = "interop"):
    import boto3

    creds = boto3.session.Session(profile_name=profile).get_credentials()
    assert creds is not None
    return creds.get_frozen_credentials()


def test_botocore_refreshes_a_near_expiry_sso_session_token(sandbox, emu, oidc, portal):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    role = portal.list_account_roles(accessToken=tokens.access_token, accountId="111111111111")["roleList"][0]["roleName"]
    registration_expires = dt.datetime.fromtimestamp(tokens.registration["clientSecretExpiresAt"], dt.timezone.utc)
    session_profile(sandbox, role)
    # 5 minutes left: inside botocore's mandatory refresh window (10 min), so it must refresh first.
    write_token(
        sandbox,
        SESSION,
        {
            "startUrl": START_URL,
            "region": "us-east-1",
            "accessToken": tokens.access_token,
            "expiresAt": stamp(now() + dt.timedelta(minutes=5)),
            "clientId": tokens.client_id,
            "clientSecret": tokens.client_secret,
            "registrationExpiresAt": stamp(registration_expires),
            "refreshToken": tokens.refresh_token,
        },
    )
    emu.clear_requests()

    creds = frozen_credentials()

    assert creds.access_key.startswith("ASIA") and creds.secret_key and creds.token, creds
    refresh, get_creds = emu.requests()
    assert (refresh["operation"], refresh["status"]) == ("CreateToken", 200), refresh
    assert refresh["body"] == {
        "grantType": "refresh_token",
        "clientId": tokens.client_id,
        "clientSecret": tokens.client_secret,
        "refreshToken": tokens.refresh_token,
    }
    rewritten = read_token(sandbox, SESSION)
    assert rewritten["accessToken"] != tokens.access_token
    assert rewritten["refreshToken"], rewritten
    expires = dt.datetime.strptime(rewritten["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert abs((expires - now()).total_seconds() - 3600) < 120, rewritten

    assert (get_creds["operation"], get_creds["status"]) == ("GetRoleCredentials", 200), get_creds
    assert get_creds["headers"]["x-amz-sso_bearer_token"] == rewritten["accessToken"]
    assert get_creds["query"] == f"role_name={role}&account_id=111111111111"


def test_botocore_uses_a_fresh_cached_token_without_refreshing(sandbox, emu, oidc, portal):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    role = portal.list_account_roles(accessToken=tokens.access_token, accountId="111111111111")["roleList"][0]["roleName"]
    session_profile(sandbox, role)
    write_token(
        sandbox,
        SESSION,
        {
            "startUrl": START_URL,
            "region": "us-east-1",
            "accessToken": tokens.access_token,
            "expiresAt": stamp(now() + dt.timedelta(minutes=50)),
            "clientId": tokens.client_id,
            "clientSecret": tokens.client_secret,
            "registrationExpiresAt": stamp(now() + dt.timedelta(days=80)),
            "refreshToken": tokens.refresh_token,
        },
    )
    emu.clear_requests()
    assert frozen_credentials().access_key.startswith("ASIA")
    assert [r["operation"] for r in emu.requests()] == ["GetRoleCredentials"]


def test_legacy_profile_gets_role_credentials(sandbox, emu, oidc, portal):
    tokens = device_tokens(emu, oidc, REG_LEGACY)
    role = portal.list_account_roles(accessToken=tokens.access_token, accountId="222222222222")["roleList"][0]["roleName"]
    sandbox.write_config(
        f"""
[profile legacy]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = {role}
"""
    )
    write_token(sandbox, START_URL, {"startUrl": START_URL, "region": "us-east-1", "accessToken": tokens.access_token, "expiresAt": stamp(now() + dt.timedelta(hours=7))})
    assert frozen_credentials("legacy").access_key.startswith("ASIA")


def test_provider_reports_an_invalid_token_as_an_expired_session(sandbox, emu):
    from botocore.exceptions import UnauthorizedSSOTokenError

    session_profile(sandbox, "ReadOnly")
    write_token(sandbox, SESSION, {"startUrl": START_URL, "region": "us-east-1", "accessToken": "aoa-forged", "expiresAt": stamp(now() + dt.timedelta(hours=1))})
    with pytest.raises(UnauthorizedSSOTokenError) as raised:
        frozen_credentials()
    assert str(raised.value) == EXPIRED_MSG
    assert [(r["operation"], r["status"]) for r in emu.requests()] == [("GetRoleCredentials", 401)]


def test_provider_surfaces_forbidden_no_access(sandbox, emu, oidc):
    from botocore.exceptions import ClientError

    tokens = device_tokens(emu, oidc, REG_DEVICE)
    session_profile(sandbox, "NoSuchRole")
    write_token(
        sandbox,
        SESSION,
        {"startUrl": START_URL, "region": "us-east-1", "accessToken": tokens.access_token, "expiresAt": stamp(now() + dt.timedelta(hours=1))},
    )
    with pytest.raises(ClientError) as raised:
        frozen_credentials()
    assert str(raised.value) == "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access"
