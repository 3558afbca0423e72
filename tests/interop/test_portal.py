"""Portal API (ListAccounts, ListAccountRoles, GetRoleCredentials, Logout) through the real clients:
results, pagination the way the CLI and boto3's paginators drive it, every portal error, throttling
and injected 500s with the clients' own retry loops (wire-protocol §4, §6, §8, §11; cli-behavior §6).
"""

from __future__ import annotations

import base64
import json
import math
import time
import urllib.parse

import pytest

from support import (
    CLIENT_KINDS,
    REG_DEVICE,
    REG_LEGACY,
    assignments,
    device_tokens,
    error_line,
    expect_error,
)
from test_device_flow import pairs

NOT_FOUND = "Session token not found or invalid"


@pytest.fixture
def token(emu, oidc):
    return device_tokens(emu, oidc, REG_DEVICE).access_token


def everything(portal, token):
    """The whole account list in one call (the server must allow up to 100)."""
    page = portal.list_accounts(accessToken=token, maxResults=100)
    assert "nextToken" not in page or not page["nextToken"], "more than 100 accounts: use a smaller directory"
    return page["accountList"]


def query(logged):
    return dict(urllib.parse.parse_qsl(logged["query"], keep_blank_values=True))


def assert_portal_error(err, code, op, message, status, retries=None):
    assert (err.code, err.message) == (code, message), err
    assert err.text == error_line(code, op, message, retries), err
    if err.client == "cli":
        assert err.exit_code == 255, err
    else:
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response


# --------------------------------------------------------------------------------------------------
# Success paths: every client x every endpoint mode


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_list_accounts(kind, clients, emu, portal, token):
    accounts = clients.call(kind, "sso", "ListAccounts", accessToken=token)["accountList"]

    assert accounts == everything(portal, token)  # default page size 20 holds the built-in directory
    assert len(accounts) >= 6
    assert {"accountId": "111111111111", "accountName": "dev", "emailAddress": "dev@example.com"} in accounts
    assert {"accountId": "222222222222", "accountName": "prod", "emailAddress": "prod@example.com"} in accounts
    assert any(not a["accountName"].isascii() for a in accounts), accounts
    assert any(len(a["emailAddress"]) > 60 for a in accounts), accounts
    assert all(len(a["accountId"]) == 12 and a["accountId"].isdigit() for a in accounts), accounts

    logged = emu.requests()[-1]
    assert (logged["method"], logged["path"], logged["operation"], logged["status"]) == ("GET", "/assignment/accounts", "ListAccounts", 200)
    assert logged["headers"]["x-amz-sso_bearer_token"] == token


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_list_account_roles(kind, clients, emu, portal, token):
    roles = clients.call(kind, "sso", "ListAccountRoles", accessToken=token, accountId="111111111111")["roleList"]
    assert roles, "demo has roles in 111111111111"
    assert all(r["accountId"] == "111111111111" for r in roles), roles
    assert {r["roleName"] for r in roles} <= {"AdministratorAccess", "ReadOnly", "PowerUserAccess", "Billing"}, roles
    assert query(emu.requests()[-1]) == {"account_id": "111111111111"}

    by_account = {}
    for account, role in assignments(portal, token):
        by_account.setdefault(account, set()).add(role)
    assert max(len(r) for r in by_account.values()) >= 3, by_account


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_get_role_credentials(kind, clients, emu, portal, token):
    role = portal.list_account_roles(accessToken=token, accountId="111111111111")["roleList"][0]["roleName"]
    before = time.time()
    creds = clients.call(kind, "sso", "GetRoleCredentials", accessToken=token, accountId="111111111111", roleName=role)["roleCredentials"]

    assert creds["accessKeyId"].startswith("ASIA") and len(creds["accessKeyId"]) == 20, creds
    assert creds["secretAccessKey"] and creds["sessionToken"], creds
    # Epoch *milliseconds*, one hour ahead (--role-credentials-ttl 3600).
    assert isinstance(creds["expiration"], int), creds
    assert abs(creds["expiration"] / 1000 - (before + 3600)) < 120, creds

    logged = emu.requests()[-1]
    assert (logged["path"], logged["operation"], logged["status"]) == ("/federation/credentials", "GetRoleCredentials", 200)
    assert query(logged) == {"role_name": role, "account_id": "111111111111"}


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_logout_then_the_token_is_rejected(kind, clients, emu, oidc):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    assert clients.call(kind, "sso", "Logout", accessToken=tokens.access_token) == {}
    logged = emu.requests()[-1]
    assert (logged["method"], logged["path"], logged["operation"], logged["status"]) == ("POST", "/logout", "Logout", 200)

    for op, params in [
        ("ListAccounts", {}),
        ("ListAccountRoles", {"accountId": "111111111111"}),
        ("GetRoleCredentials", {"accountId": "111111111111", "roleName": "ReadOnly"}),
    ]:
        err = expect_error(clients.call, kind, "sso", op, accessToken=tokens.access_token, **params)
        assert_portal_error(err, "UnauthorizedException", op, NOT_FOUND, 401)


# --------------------------------------------------------------------------------------------------
# Pagination


def test_cli_follows_pages_with_page_size_2(clients, emu, portal, token):
    full = everything(portal, token)
    emu.clear_requests()
    proc = clients.aws("sso", "list-accounts", f"--access-token={token}", "--page-size", "2")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"accountList": full}

    logged = [r for r in emu.requests() if r["operation"] == "ListAccounts"]
    assert len(logged) == math.ceil(len(full) / 2), logged
    queries = [query(r) for r in logged]
    assert all(q["max_result"] == "2" for q in queries), queries
    assert "next_token" not in queries[0]
    tokens = [q["next_token"] for q in queries[1:]]
    assert len(set(tokens)) == len(tokens) and all(tokens), tokens


def test_boto3_paginator_with_page_size_2(clients, portal, token):
    full = everything(portal, token)
    client = clients.boto3("sso")
    pages = list(client.get_paginator("list_accounts").paginate(accessToken=token, PaginationConfig={"PageSize": 2}))
    assert [len(p["accountList"]) for p in pages] == [2] * (len(full) // 2) + ([len(full) % 2] if len(full) % 2 else [])
    assert [a for p in pages for a in p["accountList"]] == full
    assert all(p.get("nextToken") for p in pages[:-1])
    assert not pages[-1].get("nextToken")


def test_cli_max_items_then_starting_token(clients, portal, token):
    full = everything(portal, token)
    first = clients.aws("sso", "list-accounts", f"--access-token={token}", "--page-size", "2", "--max-items", "3")
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["accountList"] == full[:3]
    # Stopped mid-page: botocore's resume token records how much of that page was consumed (§6.2).
    resume = json.loads(base64.b64decode(out["NextToken"]))
    assert resume["boto_truncate_amount"] == 1 and resume["nextToken"], resume

    rest = clients.aws("sso", "list-accounts", f"--access-token={token}", "--page-size", "2", f"--starting-token={out['NextToken']}")
    assert rest.returncode == 0, rest.stderr
    assert json.loads(rest.stdout)["accountList"] == full[3:]


def test_cli_list_account_roles_page_size_1(clients, portal, token):
    best = max(
        (a["accountId"] for a in everything(portal, token)),
        key=lambda acct: len(portal.list_account_roles(accessToken=token, accountId=acct, maxResults=100)["roleList"]),
    )
    full = portal.list_account_roles(accessToken=token, accountId=best, maxResults=100)["roleList"]
    assert len(full) >= 3
    proc = clients.aws("sso", "list-account-roles", f"--access-token={token}", "--account-id", best, "--page-size", "1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"roleList": full}


@pytest.mark.emulator_args("--synthetic-accounts", "45", "--synthetic-roles", "3")
def test_synthetic_org_pages_at_the_default_page_size(clients, emu, portal, token):
    full = everything(portal, token)
    assert len(full) >= 45
    assert len({a["accountId"] for a in full}) == len(full)
    pages = list(clients.boto3("sso").get_paginator("list_accounts").paginate(accessToken=token))
    assert [len(p["accountList"]) for p in pages[:-1]] == [20] * (len(pages) - 1)  # --page-size default 20
    assert 1 <= len(pages[-1]["accountList"]) <= 20
    assert [a for p in pages for a in p["accountList"]] == full

    proc = clients.aws("sso", "list-accounts", f"--access-token={token}")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["accountList"] == full

    role_counts = [len(portal.list_account_roles(accessToken=token, accountId=a["accountId"], maxResults=100)["roleList"]) for a in full]
    assert sum(1 for n in role_counts if n >= 3) >= 45, role_counts


@pytest.mark.emulator_args("--page-size", "3")
def test_page_size_flag_sets_the_default_page(portal, token):
    page = portal.list_accounts(accessToken=token)
    assert len(page["accountList"]) == 3 and page["nextToken"], page


# --------------------------------------------------------------------------------------------------
# Errors


@pairs
@pytest.mark.parametrize("op,params", [("ListAccounts", {}), ("ListAccountRoles", {"accountId": "111111111111"})])
def test_max_result_101_is_invalid(kind, clients, token, op, params):
    """botocore checks only the minimum; 101 reaches the server, which must refuse it (§2.1)."""
    err = expect_error(clients.call, kind, "sso", op, accessToken=token, maxResults=101, **params)
    assert err.code == "InvalidRequestException", err
    assert err.message, err
    assert_portal_error(err, "InvalidRequestException", op, err.message, 400)


@pairs
def test_empty_account_id_is_invalid(kind, clients, token):
    err = expect_error(clients.call, kind, "sso", "ListAccountRoles", accessToken=token, accountId="")
    assert err.code == "InvalidRequestException", err
    assert_portal_error(err, "InvalidRequestException", "ListAccountRoles", err.message, 400)


@pairs
@pytest.mark.parametrize("how", ["forged", "expired", "logged-out", "revoked", "empty"])
def test_unauthorized_tokens(kind, clients, emu, oidc, portal, how):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    bad = tokens.access_token
    if how == "forged":
        bad = "aoaforged:dGhpcyBpcyBub3QgYSB0b2tlbg/+=="
    elif how == "expired":
        emu.advance(3601)  # --access-token-ttl 3600
    elif how == "logged-out":
        portal.logout(accessToken=bad)
    elif how == "revoked":
        assert emu.revoke(user="demo") >= 1
    else:
        bad = ""
    for op, params in [
        ("ListAccounts", {}),
        ("GetRoleCredentials", {"accountId": "111111111111", "roleName": "ReadOnly"}),
    ]:
        err = expect_error(clients.call, kind, "sso", op, accessToken=bad, **params)
        assert_portal_error(err, "UnauthorizedException", op, NOT_FOUND, 401)


def test_legacy_token_lives_8_hours(emu, oidc, portal):
    from botocore.exceptions import ClientError

    tokens = device_tokens(emu, oidc, REG_LEGACY)
    emu.advance(3601)
    assert portal.list_accounts(accessToken=tokens.access_token)["accountList"]
    emu.advance(28_800 - 3601 + 1)
    with pytest.raises(ClientError) as raised:
        portal.list_accounts(accessToken=tokens.access_token)
    assert raised.value.response["Error"] == {"Code": "UnauthorizedException", "Message": NOT_FOUND}


@pairs
def test_forbidden_for_a_role_that_does_not_exist(kind, clients, token):
    err = expect_error(clients.call, kind, "sso", "GetRoleCredentials", accessToken=token, accountId="111111111111", roleName="NoSuchRole")
    assert_portal_error(err, "ForbiddenException", "GetRoleCredentials", "No access", 403)


@pairs
def test_forbidden_for_a_role_alice_is_not_assigned(kind, clients, emu, oidc, portal):
    demo = device_tokens(emu, oidc, REG_DEVICE, user="demo")
    alice = device_tokens(emu, oidc, REG_DEVICE, user="alice")
    missing = sorted(assignments(portal, demo.access_token) - assignments(portal, alice.access_token))
    assert missing, "alice must lack some of demo's assignments"
    account, role = missing[0]
    err = expect_error(clients.call, kind, "sso", "GetRoleCredentials", accessToken=alice.access_token, accountId=account, roleName=role)
    assert_portal_error(err, "ForbiddenException", "GetRoleCredentials", "No access", 403)


@pytest.mark.slow
@pytest.mark.parametrize("clients", ["env"], indirect=True)
@pytest.mark.emulator_args("--rate-limit", "portal=0.0001:1")
def test_throttled_cli_with_its_default_retries(clients, emu, token):
    """wire-protocol §14.10: CLI v1's legacy retry mode makes 5 attempts and says so."""
    ok = clients.call("cli", "sso", "ListAccounts", accessToken=token)  # the one token in the bucket
    assert ok["accountList"]
    emu.clear_requests()
    err = expect_error(clients.call, "cli", "sso", "GetRoleCredentials", accessToken=token, accountId="111111111111", roleName="ReadOnly")
    assert_portal_error(err, "TooManyRequestsException", "GetRoleCredentials", "Rate exceeded", 429, retries=4)

    logged = emu.requests()
    assert [(r["operation"], r["status"]) for r in logged] == [("GetRoleCredentials", 429)] * 5
    assert len({r["headers"]["amz-sdk-invocation-id"] for r in logged}) == 1
    attempts = [r["headers"]["amz-sdk-request"] for r in logged]
    assert attempts[0] == "attempt=1"
    assert [a.split("; ", 1)[1] for a in attempts[1:]] == [f"attempt={n}; max=5" for n in range(2, 6)], attempts


@pairs
@pytest.mark.emulator_args("--rate-limit", "portal=0.0001:1")
def test_throttled_after_standard_mode_retries(kind, clients, emu, token):
    assert clients.call(kind, "sso", "ListAccounts", accessToken=token)["accountList"]
    emu.clear_requests()
    err = expect_error(
        clients.call,
        kind,
        "sso",
        "ListAccounts",
        accessToken=token,
        cli_env={"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"},
        retries={"mode": "standard", "total_max_attempts": 3},
    )
    assert_portal_error(err, "TooManyRequestsException", "ListAccounts", "Rate exceeded", 429, retries=2)
    assert [(r["operation"], r["status"]) for r in emu.requests()] == [("ListAccounts", 429)] * 3


@pairs
@pytest.mark.emulator_args("--rate-limit", "oidc=0.0001:1")
def test_oidc_throttling_is_slow_down_and_not_retried(kind, clients, emu):
    assert clients.call(kind, "sso-oidc", "RegisterClient", **REG_DEVICE)["clientId"]
    emu.clear_requests()
    err = expect_error(clients.call, kind, "sso-oidc", "RegisterClient", retries={"mode": "standard", "total_max_attempts": 3}, **REG_DEVICE)
    assert err.code == "SlowDownException", err
    if kind == "boto3":
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert err.response["error"] == "slow_down"
    assert err.text == error_line("SlowDownException", "RegisterClient", err.message)
    assert [(r["operation"], r["status"]) for r in emu.requests()] == [("RegisterClient", 400)]


@pairs
@pytest.mark.emulator_args("--error-rate", "1.0", "--seed", "7")
def test_injected_portal_500_after_retries(kind, clients, emu):
    err = expect_error(
        clients.call,
        kind,
        "sso",
        "ListAccounts",
        accessToken="any-token",
        cli_env={"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"},
        retries={"mode": "standard", "total_max_attempts": 3},
    )
    # No x-amzn-ErrorType on a portal 500, so botocore's code is the status (contract, wire-protocol §8).
    assert_portal_error(err, "500", "ListAccounts", "Internal failure", 500, retries=2)
    assert [(r["operation"], r["status"]) for r in emu.requests()] == [("ListAccounts", 500)] * 3


@pairs
@pytest.mark.emulator_args("--error-rate", "1.0", "--seed", "7")
def test_injected_oidc_500_after_retries(kind, clients, emu):
    err = expect_error(
        clients.call,
        kind,
        "sso-oidc",
        "RegisterClient",
        cli_env={"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2"},
        retries={"mode": "standard", "total_max_attempts": 2},
        **REG_DEVICE,
    )
    assert err.code == "InternalServerException", err
    assert err.retries == 1, err
    if kind == "boto3":
        assert err.response["error"] == "server_error"
        assert err.message == err.response["error_description"] and err.message
    assert [(r["operation"], r["status"]) for r in emu.requests()] == [("RegisterClient", 500)] * 2
