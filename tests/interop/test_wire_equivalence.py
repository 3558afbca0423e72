"""Issues #4/#5, item 1: aws-sso puts the same requests on the wire as botocore.

Each operation is made once with boto3/botocore and once by aws-sso as part of its own commands
(`login` registers, starts the device authorization and redeems the code; a near-expiry token,
with aws-sso's clock pinned by AWS_SSO_TEST_NOW, makes it refresh; `logout` calls Logout), against
the same emulator. The emulator's request log (`GET /_emulator/requests`) is then compared:
method, path, query (parsed and order-insensitive, except GetRoleCredentials' `role_name` before
`account_id`, which botocore documents), headers (the same header names; bearer token,
content-type, accept-encoding and amz-sdk-request values), and the JSON body as a dict with the
same keys. Values that are random per call (client IDs and secrets, device codes, authorization
codes, PKCE verifiers, tokens, page cursors) are checked by origin — e.g. the code is the one the
emulator redirected with, the verifier hashes to the challenge of the /authorize URL — and then
replaced by placeholders before the comparison (wire-protocol §14, cli-behavior §3.4-§3.6, §4-§6).
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import uuid

import pytest

from support import (
    DEVICE_GRANT,
    REG_DEVICE,
    REG_PKCE,
    SESSION_NAME,
    SSO_PROFILES,
    START_URL,
    authorize_url,
    challenge,
    fake_browser,
    free_port,
    http_authorize,
    make_verifier,
    parse_stamp,
    run_aws_sso,
    token_file,
    utc_stamp,
)

# Every request is approved as `demo` without a browser: the flows run unattended.
pytestmark = pytest.mark.emulator_args("--auto-approve", "demo")

# Headers whose values are per-process by nature (or derived from random body values).
VOLATILE_HEADERS = {"user-agent", "amz-sdk-invocation-id", "content-length", "host"}
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
CURSOR = re.compile(r"[A-Za-z0-9_-]{43}")
VERIFIER = re.compile(r"[A-Za-z0-9._~-]{64}")


# --------------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def box(sandbox):
    """The sandbox with the `dev` (sso-session my-sso) and `legacy` profiles; AWS_SSO_TEST_BROWSER
    is a stand-in browser that follows /authorize to aws-sso's loopback listener."""
    sandbox.write_config(SSO_PROFILES)
    browser = fake_browser(sandbox.home.parent / "browser", follow=True)
    sandbox.env["AWS_SSO_TEST_BROWSER"] = browser.command
    sandbox.browser = browser
    return sandbox


def sso(box, *args, extra_env=None, ok=True):
    proc = run_aws_sso(*args, env={**box.env, **(extra_env or {})}, timeout=60)
    if ok:
        assert proc.returncode == 0, f"aws-sso {' '.join(args)} exited {proc.returncode}:\n{proc.stderr.decode()}"
    return proc


def new_requests(emu, since: int) -> list[dict]:
    return emu.requests()[since:]


def mark(emu) -> int:
    return len(emu.requests())


def substitute(value, subs: dict[str, str]):
    """Replaces every random value in `subs` (exact string match) by its placeholder, recursively."""
    if isinstance(value, str):
        return subs.get(value, value)
    if isinstance(value, list):
        return [substitute(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, subs) for k, v in value.items()}
    return value


def wire_view(req: dict, subs: dict[str, str], *, ordered_query: bool = False) -> dict:
    """What must be identical between the two clients' requests."""
    headers = req["headers"]
    pairs = urllib.parse.parse_qsl(req["query"], keep_blank_values=True, strict_parsing=False)
    pairs = [(k, substitute(v, subs)) for k, v in pairs]
    assert UUID4.fullmatch(headers.get("amz-sdk-invocation-id", "")), f"amz-sdk-invocation-id is not a UUIDv4: {headers}"
    if req["body"] is None and req["method"] == "POST":
        # An empty POST (Logout) must still say so, as botocore does: `Content-Length: 0`.
        assert headers.get("content-length") == "0", headers
    return {
        "operation": req["operation"],
        "method": req["method"],
        "path": req["path"],
        "query": pairs if ordered_query else sorted(pairs),
        "header names": sorted(headers),
        "headers": {k: substitute(v, subs) for k, v in sorted(headers.items()) if k not in VOLATILE_HEADERS},
        "body": substitute(req["body"], subs),
        "body keys": sorted(req["body"]) if isinstance(req["body"], dict) else None,
    }


def assert_equivalent(ours: dict, theirs: dict, our_subs: dict, their_subs: dict, *, ordered_query: bool = False) -> None:
    assert ours["status"] == theirs["status"], (ours, theirs)
    assert wire_view(ours, our_subs, ordered_query=ordered_query) == wire_view(theirs, their_subs, ordered_query=ordered_query)


def read_json(path) -> dict:
    return json.loads(path.read_text())


def registration_of(box) -> dict:
    """aws-sso's cached client registration for session my-sso (the one non-token file)."""
    cache = box.token_cache
    regs = [read_json(p) for p in cache.glob("*.json") if "accessToken" not in read_json(p)]
    assert len(regs) == 1, regs
    return regs[0]


def oidc_client(emu):
    import boto3
    from botocore.config import Config

    return boto3.session.Session(region_name="us-east-1").client(
        "sso-oidc", endpoint_url=emu.url, config=Config(retries={"mode": "standard", "total_max_attempts": 1})
    )


def portal_client(emu):
    import boto3
    from botocore.config import Config

    return boto3.session.Session(region_name="us-east-1").client(
        "sso", endpoint_url=emu.url, config=Config(retries={"mode": "standard", "total_max_attempts": 1})
    )


def client_subs(client_id: str, client_secret: str) -> dict[str, str]:
    return {client_id: "<clientId>", client_secret: "<clientSecret>"}


# --------------------------------------------------------------------------------------------------
# OIDC: RegisterClient, StartDeviceAuthorization, CreateToken (device_code)


def test_device_login_requests_equal_botocore(box, emu):
    """`aws-sso login --use-device-code` (sso-session) vs the same three calls through boto3:
    RegisterClient with the session's scopes, StartDeviceAuthorization, CreateToken(device_code)."""
    start = mark(emu)
    sso(box, "login", "--profile", "dev", "--use-device-code")
    ours = new_requests(emu, start)
    assert [r["operation"] for r in ours] == ["RegisterClient", "StartDeviceAuthorization", "CreateToken"], ours
    reg = registration_of(box)
    token = read_json(token_file(box.home, SESSION_NAME))
    our_sda, our_create = ours[1], ours[2]
    # Origins: the client credentials are the registration aws-sso cached; the device code is the
    # one this client got (the emulator accepted it: 200) and has the emulator's device-code shape.
    our_code = our_create["body"]["deviceCode"]
    assert our_create["status"] == 200, our_create

    oidc = oidc_client(emu)
    start = mark(emu)
    their_reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=their_reg["clientId"], clientSecret=their_reg["clientSecret"], startUrl=START_URL)
    oidc.create_token(clientId=their_reg["clientId"], clientSecret=their_reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    theirs = new_requests(emu, start)
    assert [r["operation"] for r in theirs] == ["RegisterClient", "StartDeviceAuthorization", "CreateToken"]

    assert len(our_code) == len(dev["deviceCode"]) and re.fullmatch(r"[A-Za-z0-9_-]+", our_code), (our_code, dev["deviceCode"])
    our_subs = {**client_subs(reg["clientId"], reg["clientSecret"]), our_code: "<deviceCode>"}
    their_subs = {**client_subs(their_reg["clientId"], their_reg["clientSecret"]), dev["deviceCode"]: "<deviceCode>"}
    for mine, other in zip(ours, theirs):
        assert_equivalent(mine, other, our_subs, their_subs)
    assert ours[0]["body"] == REG_DEVICE
    assert our_sda["body"] == {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"], "startUrl": START_URL}
    assert our_create["body"]["grantType"] == DEVICE_GRANT
    assert token["accessToken"] in emu.issued()["access_tokens"]


def test_legacy_login_registers_like_botocore(box, emu):
    """Legacy profile: RegisterClient without scopes, named botocore-client-<unix time>."""
    start = mark(emu)
    before = int(time.time())
    sso(box, "login", "--profile", "legacy")
    after = int(time.time())
    ours = new_requests(emu, start)
    assert [r["operation"] for r in ours] == ["RegisterClient", "StartDeviceAuthorization", "CreateToken"], ours

    oidc = oidc_client(emu)
    start = mark(emu)
    oidc.register_client(clientName=f"botocore-client-{int(time.time())}", clientType="public")
    (theirs,) = new_requests(emu, start)

    name = ours[0]["body"]["clientName"]
    m = re.fullmatch(r"botocore-client-(\d+)", name)
    assert m and before - 1 <= int(m.group(1)) <= after + 1, name
    assert_equivalent(ours[0], theirs, {name: "<clientName>"}, {theirs["body"]["clientName"]: "<clientName>"})
    assert set(ours[0]["body"]) == {"clientName", "clientType"}


def test_pkce_login_requests_equal_botocore(box, emu):
    """`aws-sso login` (PKCE) vs boto3: RegisterClient with grant types, redirect URI and issuer,
    the /authorize URL (CLI v2's parameter order), and CreateToken(authorization_code), whose
    code is the one the emulator redirected with and whose verifier hashes to the challenge."""
    start = mark(emu)
    sso(box, "login", "--profile", "dev")
    ours = new_requests(emu, start)
    assert [r["operation"] for r in ours] == ["RegisterClient", "Authorize", "CreateToken"], ours
    our_reg_req, our_authz, our_create = ours
    reg = registration_of(box)
    assert reg["grantTypes"] == ["authorization_code", "refresh_token"]

    authz = dict(urllib.parse.parse_qsl(our_authz["query"]))
    (callback,) = box.browser.redirects()
    delivered = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    assert callback.split("?", 1)[0] == authz["redirect_uri"]
    assert delivered["state"] == authz["state"] and UUID4.fullmatch(authz["state"]), authz
    body = our_create["body"]
    assert body["code"] == delivered["code"]
    assert VERIFIER.fullmatch(body["codeVerifier"]) and challenge(body["codeVerifier"]) == authz["code_challenge"], body
    assert body["redirectUri"] == authz["redirect_uri"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/oauth/callback", body["redirectUri"])

    # boto3 with CLI v2's kwargs; the browser step is plain HTTP against the auto-approving emulator.
    oidc = oidc_client(emu)
    start = mark(emu)
    their_reg = oidc.register_client(**REG_PKCE)
    verifier = make_verifier()
    redirect_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
    state = str(uuid.uuid4())
    got = http_authorize(authorize_url(emu.url, their_reg["clientId"], redirect_uri, state, verifier), redirect_uri)
    oidc.create_token(
        grantType="authorization_code",
        clientId=their_reg["clientId"],
        clientSecret=their_reg["clientSecret"],
        redirectUri=redirect_uri,
        codeVerifier=verifier,
        code=got["code"],
    )
    theirs = new_requests(emu, start)
    assert [r["operation"] for r in theirs] == ["RegisterClient", "Authorize", "CreateToken"]

    our_subs = {
        **client_subs(reg["clientId"], reg["clientSecret"]),
        body["code"]: "<code>",
        body["codeVerifier"]: "<verifier>",
        body["redirectUri"]: "<redirectUri>",
        authz["state"]: "<state>",
        authz["code_challenge"]: "<challenge>",
    }
    their_subs = {
        **client_subs(their_reg["clientId"], their_reg["clientSecret"]),
        got["code"]: "<code>",
        verifier: "<verifier>",
        redirect_uri: "<redirectUri>",
        state: "<state>",
        challenge(verifier): "<challenge>",
    }
    assert_equivalent(our_reg_req, theirs[0], our_subs, their_subs)
    assert our_reg_req["body"] == REG_PKCE
    assert_equivalent(our_create, theirs[2], our_subs, their_subs)
    # /authorize: the same parameters in CLI v2's order (cli-behavior §3.6); browser headers differ.
    our_q = [(k, substitute(v, our_subs)) for k, v in urllib.parse.parse_qsl(our_authz["query"])]
    their_q = [(k, substitute(v, their_subs)) for k, v in urllib.parse.parse_qsl(theirs[1]["query"])]
    assert our_q == their_q
    assert (our_authz["method"], our_authz["path"]) == ("GET", "/authorize")


# --------------------------------------------------------------------------------------------------
# CreateToken (refresh_token): aws-sso's refresh vs botocore's own SSO token provider


def test_refresh_requests_equal_botocore_token_provider(box, emu):
    sso(box, "login", "--profile", "dev")
    path = token_file(box.home, SESSION_NAME)
    first = read_json(path)

    # aws-sso: its clock pinned 5 minutes before expiry, so the token is inside the refresh window.
    pinned = utc_stamp(parse_stamp(first["expiresAt"]) - 300)
    start = mark(emu)
    sso(box, "list-accounts", "--profile", "dev", extra_env={"AWS_SSO_TEST_NOW": pinned})
    ours = new_requests(emu, start)
    assert [(r["operation"], r["status"]) for r in ours] == [("CreateToken", 200), ("ListAccounts", 200)], ours
    second = read_json(path)
    assert second["accessToken"] != first["accessToken"] and second["refreshToken"] != first["refreshToken"]
    assert ours[1]["headers"]["x-amz-sso_bearer_token"] == second["accessToken"]

    # botocore: the same file, 5 minutes left on the real clock, through boto3's credential chain.
    second["expiresAt"] = utc_stamp(time.time() + 300)
    path.write_text(json.dumps(second))
    import boto3

    start = mark(emu)
    creds = boto3.session.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert creds.access_key.startswith("ASIA")
    theirs = new_requests(emu, start)
    assert [(r["operation"], r["status"]) for r in theirs] == [("CreateToken", 200), ("GetRoleCredentials", 200)], theirs
    third = read_json(path)

    our_subs = {**client_subs(first["clientId"], first["clientSecret"]), first["refreshToken"]: "<refreshToken>"}
    their_subs = {**client_subs(second["clientId"], second["clientSecret"]), second["refreshToken"]: "<refreshToken>"}
    assert_equivalent(ours[0], theirs[0], our_subs, their_subs)
    assert ours[0]["body"] == {
        "grantType": "refresh_token",
        "clientId": first["clientId"],
        "clientSecret": first["clientSecret"],
        "refreshToken": first["refreshToken"],
    }
    assert theirs[1]["headers"]["x-amz-sso_bearer_token"] == third["accessToken"]


# --------------------------------------------------------------------------------------------------
# Portal: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout


@pytest.fixture
def token(box, emu) -> str:
    """An access token from aws-sso's own login, shared by both clients."""
    sso(box, "login", "--profile", "dev")
    return read_json(token_file(box.home, SESSION_NAME))["accessToken"]


def portal_args(emu, token):
    return ["--access-token", token, "--region", "us-east-1", "--endpoint-url", emu.url]


def check_cursors(ours: list[dict], theirs: list[dict]) -> tuple[dict, dict]:
    """Page cursors differ per call: each must be a well-formed emulator cursor that it accepted."""
    our_subs, their_subs = {}, {}
    for reqs, subs in ((ours, our_subs), (theirs, their_subs)):
        for r in reqs:
            for k, v in urllib.parse.parse_qsl(r["query"]):
                if k == "next_token":
                    assert CURSOR.fullmatch(v) and r["status"] == 200, r
                    subs[v] = "<nextToken>"
    return our_subs, their_subs


@pytest.mark.parametrize("page_size", [None, 2], ids=["no-max-result", "max-result-2"])
def test_list_accounts_requests_equal_botocore(box, emu, token, page_size):
    start = mark(emu)
    sso(box, "list-accounts", *portal_args(emu, token), *(["--page-size", str(page_size)] if page_size else []))
    ours = new_requests(emu, start)

    portal = portal_client(emu)
    start = mark(emu)
    kwargs = {"maxResults": page_size} if page_size else {}
    page = portal.list_accounts(accessToken=token, **kwargs)
    while page.get("nextToken"):
        page = portal.list_accounts(accessToken=token, nextToken=page["nextToken"], **kwargs)
    theirs = new_requests(emu, start)

    assert len(ours) == len(theirs) == (3 if page_size else 1), (ours, theirs)
    our_subs, their_subs = check_cursors(ours, theirs)
    our_subs[token] = their_subs[token] = "<accessToken>"
    for mine, other in zip(ours, theirs):
        assert_equivalent(mine, other, our_subs, their_subs)
    if page_size:
        assert [k for k, _ in urllib.parse.parse_qsl(ours[1]["query"])] in (["max_result", "next_token"], ["next_token", "max_result"])


@pytest.mark.parametrize("page_size", [None, 3], ids=["no-max-result", "max-result-3"])
def test_list_account_roles_requests_equal_botocore(box, emu, token, page_size):
    start = mark(emu)
    size = ["--page-size", str(page_size)] if page_size else []
    sso(box, "list-account-roles", "--account-id", "555555555555", *portal_args(emu, token), *size)
    ours = new_requests(emu, start)

    portal = portal_client(emu)
    start = mark(emu)
    kwargs = {"maxResults": page_size} if page_size else {}
    page = portal.list_account_roles(accessToken=token, accountId="555555555555", **kwargs)
    while page.get("nextToken"):
        page = portal.list_account_roles(accessToken=token, accountId="555555555555", nextToken=page["nextToken"], **kwargs)
    theirs = new_requests(emu, start)

    assert len(ours) == len(theirs) == (2 if page_size else 1), (ours, theirs)
    our_subs, their_subs = check_cursors(ours, theirs)
    our_subs[token] = their_subs[token] = "<accessToken>"
    for mine, other in zip(ours, theirs):
        assert_equivalent(mine, other, our_subs, their_subs)


@pytest.mark.parametrize(
    ("account", "role", "status"),
    [("111111111111", "ReadOnly", 200), ("111111111111", "Admin Access", 403), ("222222222222", "Billing", 200)],
    ids=["readonly", "space-in-role-403", "billing"],
)
def test_get_role_credentials_request_equals_botocore(box, emu, token, account, role, status):
    start = mark(emu)
    proc = sso(box, "get-role-credentials", "--account-id", account, "--role-name", role, *portal_args(emu, token), ok=status == 200)
    assert proc.returncode == (0 if status == 200 else 254), proc.stderr
    (ours,) = new_requests(emu, start)

    portal = portal_client(emu)
    start = mark(emu)
    try:
        portal.get_role_credentials(roleName=role, accountId=account, accessToken=token)
    except Exception:
        assert status != 200
    (theirs,) = new_requests(emu, start)

    assert ours["status"] == status
    subs = {token: "<accessToken>"}
    assert_equivalent(ours, theirs, subs, subs, ordered_query=True)
    # botocore's documented order and percent-encoding (wire-protocol §14.3): role_name first, %20.
    assert ours["query"] == theirs["query"] == f"role_name={urllib.parse.quote(role)}&account_id={account}"


def test_logout_request_equals_botocore(box, emu):
    sso(box, "login", "--profile", "dev")
    ours_token = read_json(token_file(box.home, SESSION_NAME))["accessToken"]
    start = mark(emu)
    sso(box, "logout")
    ours = new_requests(emu, start)
    assert [(r["operation"], r["status"]) for r in ours] == [("Logout", 200)], ours
    assert not token_file(box.home, SESSION_NAME).exists()

    theirs_token = device_tokens_auto(emu)
    portal = portal_client(emu)
    start = mark(emu)
    portal.logout(accessToken=theirs_token)
    (theirs,) = new_requests(emu, start)

    assert_equivalent(ours[0], theirs, {ours_token: "<accessToken>"}, {theirs_token: "<accessToken>"})
    assert ours[0]["body"] is None and "content-type" not in ours[0]["headers"]


def device_tokens_auto(emu) -> str:
    """A device-flow access token from boto3 against the auto-approving emulator."""
    oidc = oidc_client(emu)
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    return tok["accessToken"]
