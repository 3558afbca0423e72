"""OIDC device-authorization grant against the emulator, through the real clients: RegisterClient with
the exact bodies the CLIs send, StartDeviceAuthorization, and CreateToken through every state of the
device-code state machine (wire-protocol §5, §7, §9.1, §9.4).
"""

from __future__ import annotations

import base64
import re
import time

import pytest

from support import (
    CLIENT_KINDS,
    DEVICE_GRANT,
    REG_DEVICE,
    REG_LEGACY,
    REG_PKCE,
    START_URL,
    device_tokens,
    error_line,
    expect_error,
)

# One (client, endpoint mode) pair each: error parsing is a client property, routing is covered by the
# full matrix on the success paths.
PAIRS = [("cli", "endpoint-url"), ("boto3", "env")]
pairs = pytest.mark.parametrize("kind,clients", PAIRS, indirect=["clients"])

USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")


def assert_oauth_error(err, code: str, op: str, oauth: str, status: int) -> None:
    """The code, the rendered line and (boto3, which exposes the parsed response) the OAuth body."""
    assert err.code == code, err
    if err.client == "cli":
        assert err.exit_code == 255, err
    else:
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response
        assert err.response["error"] == oauth, err.response
        # botocore's sso-oidc hook copies error_description into the message (wire-protocol §2.3).
        assert err.message == err.response.get("error_description", ""), err.response
        assert err.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"].split(":")[0] == code
    assert err.text == error_line(code, op, err.message), err


def register(clients, kind, body=REG_DEVICE):
    return clients.call(kind, "sso-oidc", "RegisterClient", **body)


def start(clients, kind, reg, start_url=START_URL):
    return clients.call(kind, "sso-oidc", "StartDeviceAuthorization", clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=start_url)


def poll(clients, kind, reg, dev):
    return clients.call(kind, "sso-oidc", "CreateToken", clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])


# --------------------------------------------------------------------------------------------------
# Success paths: every client x every endpoint mode


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("body", [REG_DEVICE, REG_LEGACY, REG_PKCE], ids=["device", "legacy", "pkce"])
def test_register_client_as_the_clis_send_it(kind, clients, emu, body):
    before = int(time.time())
    reg = register(clients, kind, body)

    assert set(reg) >= {"clientId", "clientSecret", "clientIdIssuedAt", "clientSecretExpiresAt"}, reg
    assert reg["clientId"] and reg["clientSecret"]
    # Epoch *seconds*, and registrations last 90 days (wire-protocol §2.2, §9.6).
    assert before - 300 <= reg["clientIdIssuedAt"] <= time.time() + 300, reg
    assert reg["clientSecretExpiresAt"] - reg["clientIdIssuedAt"] == 7_776_000, reg
    # clientId = base64url(16 random bytes || region) (wire-protocol §9.7, §13).
    raw = base64.urlsafe_b64decode(reg["clientId"] + "=" * (-len(reg["clientId"]) % 4))
    assert raw[16:] == b"us-east-1", reg["clientId"]

    logged = emu.requests()[-1]
    assert (logged["method"], logged["path"], logged["operation"], logged["status"]) == ("POST", "/client/register", "RegisterClient", 200)
    assert logged["body"] == body, "the client sent a different body than CLI v2 does (wire-protocol §14.5)"
    assert reg["clientId"] in emu.issued()["client_ids"]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_device_code_grant_end_to_end(kind, clients, emu, portal):
    reg = register(clients, kind)
    dev = start(clients, kind, reg)

    assert len(dev["deviceCode"]) == 86 and BASE64URL.match(dev["deviceCode"]), dev
    assert USER_CODE.match(dev["userCode"]), dev
    assert dev["verificationUri"] == f"{emu.url}/device", dev
    assert dev["verificationUriComplete"] == f"{emu.url}/device?user_code={dev['userCode']}", dev
    assert (dev["expiresIn"], dev["interval"]) == (600, 1), dev
    pending = [p for p in emu.pending() if p["user_code"] == dev["userCode"]]
    assert [p["client_id"] for p in pending] == [reg["clientId"]], emu.pending()

    # The CLIs poll once before printing the code: not approved yet.
    err = expect_error(poll, clients, kind, reg, dev)
    assert_oauth_error(err, "AuthorizationPendingException", "CreateToken", "authorization_pending", 400)
    assert err.message == "Authorization is still pending"

    emu.approve(dev["userCode"], "demo")
    emu.advance(2)  # one poll interval later, so this poll is not "too fast"
    tok = poll(clients, kind, reg, dev)

    assert tok["tokenType"] == "Bearer", tok
    assert tok["expiresIn"] == 3600, tok  # refreshable: the registration has scopes (§9.4)
    assert tok["accessToken"] and tok.get("refreshToken"), tok
    assert "idToken" not in tok, tok
    assert tok["accessToken"] in emu.issued()["access_tokens"]
    assert tok["refreshToken"] in emu.issued()["refresh_tokens"]
    assert [p for p in emu.pending() if p["user_code"] == dev["userCode"]] == []
    accounts = portal.list_accounts(accessToken=tok["accessToken"])["accountList"]
    assert {"accountId": "111111111111", "accountName": "dev", "emailAddress": "dev@example.com"} in accounts


def test_legacy_registration_gets_a_non_refreshable_8h_token(emu, oidc):
    tokens = device_tokens(emu, oidc, REG_LEGACY)
    assert tokens.refresh_token is None
    assert tokens.expires_in == 28800


def test_user_code_is_accepted_without_dash_and_in_lower_case(emu, oidc):
    """The approve route and the device page share one lookup; RFC 8628 §6.1 recommends leniency."""
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"].replace("-", "").lower(), "demo")
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    assert tok["accessToken"]


# --------------------------------------------------------------------------------------------------
# Every CreateToken / StartDeviceAuthorization error, as the real clients report it


@pairs
@pytest.mark.emulator_args("--device-poll-interval", "30")
def test_slow_down_when_polling_faster_than_the_interval(kind, clients, emu, oidc):
    # A 30 s interval, so the second poll is "too fast" however slowly the CLI starts up.
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    assert dev["interval"] == 30, dev
    err = expect_error(poll, clients, kind, reg, dev)
    assert err.code == "AuthorizationPendingException"

    err = expect_error(poll, clients, kind, reg, dev)
    assert_oauth_error(err, "SlowDownException", "CreateToken", "slow_down", 400)
    # The SDK does not retry SlowDown: one request per call (wire-protocol §11).
    assert [r["operation"] for r in emu.requests()][-2:] == ["CreateToken"] * 2
    assert [r["status"] for r in emu.requests()][-2:] == [400, 400]

    # RFC 8628: the interval grows by 5 s after slow_down; once that has passed the code is still good.
    emu.advance(dev["interval"] + 10)
    err = expect_error(poll, clients, kind, reg, dev)
    assert err.code == "AuthorizationPendingException"


@pairs
def test_expired_token_after_the_device_code_ttl(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.advance(601)
    err = expect_error(poll, clients, kind, reg, dev)
    assert_oauth_error(err, "ExpiredTokenException", "CreateToken", "expired_token", 400)


@pairs
def test_expired_token_even_if_approved_too_late(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.advance(601)
    status, _ = emu.control("POST", "/_emulator/device/approve", {"user_code": dev["userCode"], "user": "demo"})
    err = expect_error(poll, clients, kind, reg, dev)
    assert err.code == "ExpiredTokenException", (status, err)


@pairs
def test_access_denied_after_deny(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.deny(dev["userCode"])
    err = expect_error(poll, clients, kind, reg, dev)
    assert_oauth_error(err, "AccessDeniedException", "CreateToken", "access_denied", 400)


@pairs
def test_device_code_is_single_use(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"])
    assert poll(clients, kind, reg, dev)["accessToken"]
    emu.advance(2)
    err = expect_error(poll, clients, kind, reg, dev)
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_unknown_device_code(kind, clients, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    err = expect_error(poll, clients, kind, reg, {"deviceCode": "A" * 86})
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_device_code_of_another_client(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    other = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"])
    err = expect_error(poll, clients, kind, other, dev)
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_invalid_client_wrong_secret_and_unknown_id(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    other = oidc.register_client(**REG_DEVICE)
    bad_secret = {**reg, "clientSecret": other["clientSecret"]}
    err = expect_error(start, clients, kind, bad_secret)
    assert_oauth_error(err, "InvalidClientException", "StartDeviceAuthorization", "invalid_client", 401)

    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"])
    err = expect_error(poll, clients, kind, bad_secret, dev)
    assert_oauth_error(err, "InvalidClientException", "CreateToken", "invalid_client", 401)

    unknown = {"clientId": "bm90LWEtY2xpZW50LWlkLXVzLWVhc3QtMQ", "clientSecret": reg["clientSecret"]}
    err = expect_error(start, clients, kind, unknown)
    assert_oauth_error(err, "InvalidClientException", "StartDeviceAuthorization", "invalid_client", 401)


@pairs
def test_registration_expires_after_90_days(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    emu.advance(7_776_000 + 1)
    err = expect_error(start, clients, kind, reg)
    assert_oauth_error(err, "InvalidClientException", "StartDeviceAuthorization", "invalid_client", 401)


@pairs
def test_unsupported_grant_type(kind, clients, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    err = expect_error(
        clients.call, kind, "sso-oidc", "CreateToken", clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="password"
    )
    assert_oauth_error(err, "UnsupportedGrantTypeException", "CreateToken", "unsupported_grant_type", 400)


@pairs
def test_unauthorized_client_device_flow_on_a_pkce_only_registration(kind, clients, oidc):
    reg = oidc.register_client(**REG_PKCE)
    err = expect_error(start, clients, kind, reg)
    assert_oauth_error(err, "UnauthorizedClientException", "StartDeviceAuthorization", "unauthorized_client", 400)


@pairs
@pytest.mark.parametrize(
    "grant,extra",
    [
        (DEVICE_GRANT, {}),  # no deviceCode
        ("refresh_token", {}),  # no refreshToken
        ("authorization_code", {"redirectUri": "http://127.0.0.1:4321/oauth/callback", "codeVerifier": "v" * 64}),  # no code
    ],
    ids=["device_code-without-deviceCode", "refresh_token-without-refreshToken", "authorization_code-without-code"],
)
def test_invalid_request_for_missing_fields(kind, clients, oidc, grant, extra):
    body = REG_PKCE if grant == "authorization_code" else REG_DEVICE
    reg = oidc.register_client(**body)
    err = expect_error(
        clients.call, kind, "sso-oidc", "CreateToken", clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=grant, **extra
    )
    assert_oauth_error(err, "InvalidRequestException", "CreateToken", "invalid_request", 400)


@pairs
@pytest.mark.parametrize(
    "change,code,oauth",
    [
        ({"clientType": "confidential"}, "InvalidClientMetadataException", "invalid_client_metadata"),
        ({"redirectUris": ["http://evil.example/oauth/callback"]}, "InvalidRedirectUriException", "invalid_redirect_uri"),
        ({"redirectUris": ["http://127.0.0.1/elsewhere"]}, "InvalidRedirectUriException", "invalid_redirect_uri"),
        ({"scopes": ["not:a:scope"]}, "InvalidScopeException", "invalid_scope"),
        ({"scopes": ["sso:account:access"] * 26}, "InvalidScopeException", "invalid_scope"),
        ({"grantTypes": ["password"]}, "UnsupportedGrantTypeException", "unsupported_grant_type"),
    ],
    ids=["confidential-client", "redirect-not-loopback", "redirect-wrong-path", "unknown-scope", "26-scopes", "unknown-grant"],
)
def test_register_client_validation(kind, clients, change, code, oauth):
    """wire-protocol §5.1, §7.1: what RegisterClient refuses, on the PKCE-style body."""
    err = expect_error(register, clients, kind, {**REG_PKCE, **change})
    assert_oauth_error(err, code, "RegisterClient", oauth, 400)


@pairs
def test_start_device_authorization_for_another_instance(kind, clients, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    err = expect_error(start, clients, kind, reg, "https://d-9999999999.awsapps.com/start")
    assert_oauth_error(err, "InvalidRequestException", "StartDeviceAuthorization", "invalid_request", 400)
