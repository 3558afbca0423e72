"""Authorization-code + PKCE grant (CLI v2's default flow) and the refresh-token grant, through the real
clients. The /authorize pages are walked over plain HTTP here (sign-in form, consent, the final 302);
test_browser.py does the same with a real Chromium (wire-protocol §9.2, §9.3, §10).
"""

from __future__ import annotations

import urllib.parse
import uuid

import pytest

from support import (
    ALICE,
    CLIENT_KINDS,
    DEMO,
    REG_DEVICE,
    REG_PKCE,
    authorize_url,
    assignments,
    device_tokens,
    expect_error,
    free_port,
    http_authorize,
    make_verifier,
    new_http_session,
    parse_page,
)
from test_device_flow import assert_oauth_error, pairs


class Grant:
    """One /authorize round trip: what the CLI v2 keeps to redeem the code."""

    def __init__(self, emu, reg, user=DEMO, session=None, decision="allow"):
        self.redirect_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
        self.state = str(uuid.uuid4())
        self.verifier = make_verifier()
        self.url = authorize_url(emu.url, reg["clientId"], self.redirect_uri, self.state, self.verifier)
        self.callback = http_authorize(self.url, self.redirect_uri, user=user, decision=decision, session=session)
        self.code = self.callback.get("code")


def redeem(clients, kind, reg, grant, **override):
    params = dict(
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        grantType="authorization_code",
        code=grant.code,
        redirectUri=grant.redirect_uri,
        codeVerifier=grant.verifier,
    )
    params.update(override)
    return clients.call(kind, "sso-oidc", "CreateToken", **params)


# --------------------------------------------------------------------------------------------------
# Success paths


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_authorization_code_grant_end_to_end(kind, clients, emu):
    reg = clients.call(kind, "sso-oidc", "RegisterClient", **REG_PKCE)
    grant = Grant(emu, reg)
    assert set(grant.callback) == {"code", "state"}, grant.callback
    assert grant.callback["state"] == grant.state
    assert grant.code

    tok = redeem(clients, kind, reg, grant)
    assert tok["tokenType"] == "Bearer", tok
    assert tok["expiresIn"] == 3600, tok
    assert tok["accessToken"] and tok.get("refreshToken"), tok

    logged = emu.requests()[-1]
    assert logged["operation"] == "CreateToken" and logged["status"] == 200
    assert logged["body"]["redirectUri"] == grant.redirect_uri

    accounts = clients.call(kind, "sso", "ListAccounts", accessToken=tok["accessToken"])["accountList"]
    assert {"accountId": "222222222222", "accountName": "prod", "emailAddress": "prod@example.com"} in accounts


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_refresh_token_grant(kind, clients, emu, oidc):
    first = device_tokens(emu, oidc, REG_DEVICE)
    # CLI: the manual form with --scope (wire-protocol §14.7); boto3: as botocore's token provider sends it.
    scope = {"scope": ["sso:account:access"]} if kind == "cli" else {}
    tok = clients.call(
        kind,
        "sso-oidc",
        "CreateToken",
        clientId=first.client_id,
        clientSecret=first.client_secret,
        grantType="refresh_token",
        refreshToken=first.refresh_token,
        **scope,
    )
    assert tok["tokenType"] == "Bearer" and tok["expiresIn"] == 3600, tok
    assert tok["accessToken"] and tok["accessToken"] != first.access_token, tok
    # botocore drops its refresh token unless the response carries one (wire-protocol §9.3).
    assert tok.get("refreshToken"), tok
    roles = clients.call(kind, "sso", "ListAccountRoles", accessToken=tok["accessToken"], accountId="111111111111")["roleList"]
    assert roles and all(r["accountId"] == "111111111111" for r in roles), roles

    # The rotated (or same) refresh token keeps working.
    again = clients.call(
        kind, "sso-oidc", "CreateToken", clientId=first.client_id, clientSecret=first.client_secret, grantType="refresh_token", refreshToken=tok["refreshToken"]
    )
    assert again["accessToken"] not in (first.access_token, tok["accessToken"])


def test_second_authorize_reuses_the_browser_session(emu, oidc):
    """With the session cookie from the first sign-in, /authorize goes straight to consent."""
    reg = oidc.register_client(**REG_PKCE)
    s = new_http_session()
    Grant(emu, reg, session=s)
    grant = Grant(emu, reg, session=s, user=("nobody", "wrong-password"))  # would fail if asked to sign in
    assert grant.callback["state"] == grant.state and grant.code


def test_wrong_password_shows_the_sign_in_page_again(emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    redirect_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
    url = authorize_url(emu.url, reg["clientId"], redirect_uri, str(uuid.uuid4()), make_verifier())
    s = new_http_session()
    from support import submit

    r = s.get(url, timeout=20)
    assert r.status_code == 200
    r = submit(s, r.url, r.text, "sign-in", {"username": "demo", "password": "not-the-password"})
    while r.status_code in (302, 303):
        location = urllib.parse.urljoin(r.url, r.headers["Location"])
        assert not location.startswith(redirect_uri), "a wrong password must not produce a code"
        r = s.get(location, allow_redirects=False, timeout=20)
    forms, _text = parse_page(r.text)
    assert any(b.get("id") == "sign-in" for f in forms for b in f.buttons), r.text[:800]


def test_deny_redirects_with_access_denied_and_state(emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg, decision="deny")
    assert grant.callback["error"] == "access_denied", grant.callback
    assert grant.callback["error_description"], grant.callback
    assert grant.callback["state"] == grant.state
    assert "code" not in grant.callback


# --------------------------------------------------------------------------------------------------
# /authorize request validation: no redirect for a bad client or redirect URI (RFC 6749 §4.1.2.1)


@pytest.mark.parametrize(
    "what",
    ["unknown-client", "redirect-not-loopback", "redirect-wrong-path", "redirect-not-registered-for-client"],
)
def test_authorize_rejects_bad_client_or_redirect_without_redirecting(emu, oidc, what):
    reg = oidc.register_client(**REG_PKCE)
    client_id = reg["clientId"]
    redirect_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
    if what == "unknown-client":
        client_id = "bm90LWEtY2xpZW50LWlkLXVzLWVhc3QtMQ"
    elif what == "redirect-not-loopback":
        redirect_uri = "http://evil.example/oauth/callback"
    elif what == "redirect-wrong-path":
        redirect_uri = f"http://127.0.0.1:{free_port()}/elsewhere"
    else:
        client_id = oidc.register_client(**REG_DEVICE)["clientId"]  # registered no redirect URIs at all
    url = authorize_url(emu.url, client_id, redirect_uri, str(uuid.uuid4()), make_verifier())
    r = new_http_session().get(url, allow_redirects=False, timeout=20)
    assert r.status_code == 400, (r.status_code, r.headers, r.text[:300])
    assert "Location" not in r.headers
    assert r.headers["Content-Type"].startswith("text/html"), r.headers


@pytest.mark.parametrize(
    "change,error",
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scopes": "sso:account:access codewhisperer:completions"}, "invalid_scope"),
    ],
    ids=["no-code_challenge", "plain-method", "response_type-token", "scope-not-registered"],
)
def test_authorize_errors_redirect_back_with_state(emu, oidc, change, error):
    """Once client and redirect URI are known good, errors go back to the client (RFC 6749 §4.1.2.1)."""
    reg = oidc.register_client(**REG_PKCE)
    redirect_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
    state = str(uuid.uuid4())
    url = authorize_url(emu.url, reg["clientId"], redirect_uri, state, make_verifier())
    parts = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(parts.query))
    for k, v in change.items():
        if v is None:
            del params[k]
        else:
            params[k] = v
    url = parts._replace(query=urllib.parse.urlencode(params, quote_via=urllib.parse.quote)).geturl()
    r = new_http_session().get(url, allow_redirects=False, timeout=20)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    location = r.headers["Location"]
    assert location.split("?", 1)[0] == redirect_uri, location
    got = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert got["error"] == error and got["error_description"] and got["state"] == state, got
    assert "code" not in got


# --------------------------------------------------------------------------------------------------
# CreateToken(authorization_code) errors


@pairs
def test_reused_authorization_code(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg)
    assert redeem(clients, kind, reg, grant)["accessToken"]
    err = expect_error(redeem, clients, kind, reg, grant)
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_wrong_code_verifier(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg)
    err = expect_error(redeem, clients, kind, reg, grant, codeVerifier=make_verifier())
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_wrong_redirect_uri(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg)
    other = f"http://127.0.0.1:{free_port()}/oauth/callback"
    assert other != grant.redirect_uri
    err = expect_error(redeem, clients, kind, reg, grant, redirectUri=other)
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_code_of_another_client(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    other = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg)
    err = expect_error(redeem, clients, kind, other, grant)
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_expired_authorization_code(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg)
    emu.advance(301)  # --auth-code-ttl defaults to 300 s
    err = expect_error(redeem, clients, kind, reg, grant)
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_wrong_client_secret_on_authorization_code(kind, clients, emu, oidc):
    reg = oidc.register_client(**REG_PKCE)
    other = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg)
    err = expect_error(redeem, clients, kind, reg, grant, clientSecret=other["clientSecret"])
    assert_oauth_error(err, "InvalidClientException", "CreateToken", "invalid_client", 401)


# --------------------------------------------------------------------------------------------------
# CreateToken(refresh_token) errors


@pairs
def test_refresh_after_logout_is_rejected(kind, clients, emu, oidc, portal):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    portal.logout(accessToken=tokens.access_token)
    err = expect_error(
        clients.call, kind, "sso-oidc", "CreateToken", clientId=tokens.client_id, clientSecret=tokens.client_secret, grantType="refresh_token", refreshToken=tokens.refresh_token
    )
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_refresh_after_the_portal_session_ended(kind, clients, emu, oidc):
    tokens = device_tokens(emu, oidc, REG_DEVICE)
    emu.advance(28_800 + 1)  # --session-ttl
    err = expect_error(
        clients.call, kind, "sso-oidc", "CreateToken", clientId=tokens.client_id, clientSecret=tokens.client_secret, grantType="refresh_token", refreshToken=tokens.refresh_token
    )
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


@pairs
def test_refresh_with_a_forged_refresh_token(kind, clients, oidc):
    reg = oidc.register_client(**REG_DEVICE)
    err = expect_error(
        clients.call, kind, "sso-oidc", "CreateToken", clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="refresh_token", refreshToken="aor-forged"
    )
    assert_oauth_error(err, "InvalidGrantException", "CreateToken", "invalid_grant", 400)


def test_alice_signs_in_through_authorize(emu, oidc, portal):
    """The signed-in user, not a default one, owns the tokens: alice has fewer assignments than demo."""
    reg = oidc.register_client(**REG_PKCE)
    grant = Grant(emu, reg, user=ALICE)
    tok = oidc.create_token(
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        grantType="authorization_code",
        code=grant.code,
        redirectUri=grant.redirect_uri,
        codeVerifier=grant.verifier,
    )
    demo = device_tokens(emu, oidc, REG_DEVICE, user="demo")
    alice_has = assignments(portal, tok["accessToken"])
    demo_has = assignments(portal, demo.access_token)
    assert alice_has and alice_has < demo_has, (alice_has, demo_has)
