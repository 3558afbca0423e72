"""Issue #13: the main paths over HTTPS, against `sso-emulator --tls --tls-ca-out CA`.

* aws-sso signs in (PKCE with curl as the browser, and device code) and then lists accounts and gets
  role credentials, trusting the emulator's CA through each of the three ways the AWS CLI offers:
  `--ca-bundle`, `ca_bundle` in the profile, `AWS_CA_BUNDLE`.
* boto3 (its own OIDC, portal and SSO credential provider) and AWS CLI v1 do the same with
  `AWS_CA_BUNDLE`.
* Chromium, with the CA trusted in the NSS database of a fresh HOME (as `certutil` would add a
  corporate CA), walks the emulator's HTTPS sign-in and consent pages for `aws-sso login`, PKCE and
  device code; without that trust it shows the certificate error instead.
* `--no-verify-ssl` works against the untrusted certificate.
* An untrusted certificate, a leaf for another host name (`--tls-leaf-host`) and an expired leaf
  (`--tls-leaf-expired`) each end aws-sso with one line naming the problem and exit 255, as AWS CLI
  v2 does (botocore's `SSL validation failed for URL REASON`); AWS CLI v1's line is checked beside it.
"""

from __future__ import annotations

import calendar
import json
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest

from support import (
    AWS_CLI,
    DEVICE_GRANT,
    REG_DEVICE,
    SESSION_NAME,
    SSO_PROFILES,
    START_URL,
    finish_aws_sso,
    login_processes,
    make_sandbox,
    page_text_contains,
    run_aws_sso,
    token_file,
    walk_pages,
)

BUILTIN_ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"]
SUCCESS = f"Successfully logged into Start URL: {START_URL}\n"
CREDENTIALS_PATH = "/federation/credentials?role_name=ReadOnly&account_id=111111111111"


@pytest.fixture
def emu(request, emulator_factory, tmp_path):
    """This module's emulator serves HTTPS and writes its CA to `emu.ca_file`; a test's
    `@pytest.mark.emulator_args(...)` adds flags."""
    marker = request.node.get_closest_marker("emulator_args")
    return emulator_factory("--tls", "--tls-ca-out", str(tmp_path / "emulator-ca.pem"), *(marker.args if marker else ()))


def sso(env, *args, expect=0):
    proc = run_aws_sso(*args, env=env)
    assert proc.returncode == expect, f"aws-sso {' '.join(args)} exited {proc.returncode}, expected {expect}:\n{proc.stderr.decode()}"
    return proc


def v1(env, *args):
    return subprocess.run([str(AWS_CLI), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


# --------------------------------------------------------------------------------------------------
# aws-sso, trusting the CA each of the three ways

TRUST = ["--ca-bundle", "ca_bundle", "AWS_CA_BUNDLE"]
LOGIN = {"pkce": ["login", "--profile", "dev"], "device-code": ["login", "--profile", "dev", "--use-device-code"]}


@pytest.mark.emulator_args("--auto-approve", "demo")
@pytest.mark.parametrize("login", LOGIN)
@pytest.mark.parametrize("trust", TRUST)
def test_aws_sso_over_https(sandbox, emu, trust, login):
    if not shutil.which("curl"):
        pytest.fail("curl is needed as the stand-in browser (apt-get install curl)")
    ca = str(emu.ca_file)
    profiles = SSO_PROFILES.replace("[profile dev]\n", f"[profile dev]\nca_bundle = {ca}\n") if trust == "ca_bundle" else SSO_PROFILES
    sandbox.write_config(profiles)
    # The "browser" follows /authorize (auto-approved) to aws-sso's loopback listener; it is a
    # browser, so it needs the CA as well.
    env = {**sandbox.env, "AWS_SSO_TEST_BROWSER": f"curl -s -L -o /dev/null --cacert {ca}"}
    flags = ["--ca-bundle", ca] if trust == "--ca-bundle" else []
    if trust == "AWS_CA_BUNDLE":
        env["AWS_CA_BUNDLE"] = ca

    out = sso(env, *LOGIN[login], *flags).stdout.decode()
    assert out.endswith(SUCCESS), out
    token = json.loads(token_file(sandbox.home, SESSION_NAME).read_text())
    assert token["accessToken"] in emu.issued()["access_tokens"]

    listed = json.loads(sso(env, "list-accounts", "--profile", "dev", *flags).stdout)
    assert [a["accountId"] for a in listed["accountList"]] == BUILTIN_ACCOUNTS
    creds = json.loads(sso(env, "get-role-credentials", "--profile", "dev", "--account-id", "111111111111", "--role-name", "ReadOnly", *flags).stdout)
    assert creds["roleCredentials"]["accessKeyId"].startswith("ASIA"), creds
    operations = [(r["operation"], r["status"]) for r in emu.requests() if r["operation"] in ("ListAccounts", "GetRoleCredentials")]
    assert operations == [("ListAccounts", 200), ("GetRoleCredentials", 200)]


# --------------------------------------------------------------------------------------------------
# boto3 and AWS CLI v1 with AWS_CA_BUNDLE


@pytest.fixture
def trusted(sandbox, emu, monkeypatch):
    """The sandbox with AWS_CA_BUNDLE naming the emulator's CA (boto3 runs in this process)."""
    sandbox.env["AWS_CA_BUNDLE"] = str(emu.ca_file)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(emu.ca_file))
    return sandbox


def auto_approved_token(oidc) -> str:
    """The device flow with boto3 (the emulator approves the code itself): an access token."""
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    assert dev["verificationUriComplete"].startswith("https://127.0.0.1:"), dev
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])["accessToken"]


@pytest.mark.emulator_args("--auto-approve", "demo")
def test_boto3_over_https(trusted, emu, oidc, portal):
    import boto3

    token = auto_approved_token(oidc)
    accounts = portal.list_accounts(accessToken=token)["accountList"]
    assert [a["accountId"] for a in accounts] == BUILTIN_ACCOUNTS
    creds = portal.get_role_credentials(accessToken=token, accountId="111111111111", roleName="ReadOnly")
    assert creds["roleCredentials"]["accessKeyId"].startswith("ASIA")

    # botocore's own SSO credential provider, from a token aws-sso cached over HTTPS.
    trusted.write_config(SSO_PROFILES)
    sso({**trusted.env, "AWS_SSO_TEST_BROWSER": f"curl -s -L -o /dev/null --cacert {emu.ca_file}"}, "login", "--profile", "dev", "--use-device-code")
    frozen = boto3.session.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA") and frozen.token


@pytest.mark.emulator_args("--auto-approve", "demo")
def test_aws_cli_v1_over_https(trusted, emu, oidc):
    token = auto_approved_token(oidc)
    listed = v1(trusted.env, "sso", "list-accounts", "--access-token", token, "--output", "json")
    assert listed.returncode == 0, listed.stderr
    assert [a["accountId"] for a in json.loads(listed.stdout)["accountList"]] == BUILTIN_ACCOUNTS
    creds = v1(trusted.env, "sso", "get-role-credentials", "--access-token", token, "--account-id", "111111111111", "--role-name", "ReadOnly", "--output", "json")
    assert creds.returncode == 0, creds.stderr
    assert json.loads(creds.stdout)["roleCredentials"]["accessKeyId"].startswith("ASIA")


# --------------------------------------------------------------------------------------------------
# --no-verify-ssl


@pytest.mark.emulator_args("--auto-approve", "demo")
def test_no_verify_ssl_accepts_the_untrusted_certificate(sandbox, emu):
    sandbox.write_config(SSO_PROFILES)
    env = {**sandbox.env, "AWS_MAX_ATTEMPTS": "1"}
    # Without the CA it fails ...
    sso(env, "login", "--profile", "dev", "--use-device-code", "--no-browser", expect=255)
    # ... and with --no-verify-ssl every step works.
    assert sso(env, "login", "--profile", "dev", "--use-device-code", "--no-browser", "--no-verify-ssl").stdout.decode().endswith(SUCCESS)
    listed = json.loads(sso(env, "list-accounts", "--profile", "dev", "--no-verify-ssl").stdout)
    assert [a["accountId"] for a in listed["accountList"]] == BUILTIN_ACCOUNTS
    creds = json.loads(sso(env, "get-role-credentials", "--profile", "dev", "--account-id", "111111111111", "--role-name", "ReadOnly", "--no-verify-ssl").stdout)
    assert creds["roleCredentials"]["accessKeyId"].startswith("ASIA")
    token = json.loads(token_file(sandbox.home, SESSION_NAME).read_text())["accessToken"]
    cli = v1(env, "sso", "list-accounts", "--access-token", token, "--no-verify-ssl", "--output", "json")
    assert cli.returncode == 0, cli.stderr
    assert [a["accountId"] for a in json.loads(cli.stdout)["accountList"]] == BUILTIN_ACCOUNTS


# --------------------------------------------------------------------------------------------------
# Certificate problems: one line naming each, exit 255

VERIFY_FAILED = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
PROBLEMS = {
    # (emulator flags, trust the CA?, aws-sso's reason (a regex), AWS CLI v1's reason (a regex))
    "untrusted": (
        [],
        False,
        re.escape(VERIFY_FAILED + "unable to get local issuer certificate (it is not signed by a trusted CA)"),
        re.escape(VERIFY_FAILED + "unable to get local issuer certificate") + r" \(_ssl\.c:\d+\)",
    ),
    "wrong-host-name": (
        ["--tls-leaf-host", "sso.example.com"],
        True,
        re.escape(VERIFY_FAILED + "IP address mismatch, certificate is not valid for '127.0.0.1' (it is valid for sso.example.com)"),
        re.escape("hostname '127.0.0.1' doesn't match 'sso.example.com'"),
    ),
    "expired": (
        ["--tls-leaf-expired"],
        True,
        re.escape(VERIFY_FAILED + "certificate has expired (not valid after ") + r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)",
        re.escape(VERIFY_FAILED + "certificate has expired") + r" \(_ssl\.c:\d+\)",
    ),
}


@pytest.mark.parametrize("problem", PROBLEMS)
def test_certificate_problems_are_named_in_one_line(tmp_path, emulator_factory, problem):
    flags, trust, ours, theirs = PROBLEMS[problem]
    emu = emulator_factory("--tls", "--tls-ca-out", str(tmp_path / "ca.pem"), *flags)
    box = make_sandbox(tmp_path, emu.url)
    # One attempt: the line is the same after retries, which only add backoff.
    env = {**box.env, "AWS_MAX_ATTEMPTS": "1", **({"AWS_CA_BUNDLE": str(emu.ca_file)} if trust else {})}
    args = ["sso", "get-role-credentials", "--access-token", "T", "--account-id", "111111111111", "--role-name", "ReadOnly", "--endpoint-url", emu.url]

    proc = run_aws_sso(*args[1:], env=env)
    url = re.escape(emu.url + CREDENTIALS_PATH)
    assert proc.returncode == 255, proc.stderr
    assert proc.stdout == b""
    assert re.fullmatch(rf"\naws: \[ERROR\]: SSL validation failed for {url} {ours}\n", proc.stderr.decode()), proc.stderr.decode()
    if problem == "expired":
        # The leaf's notAfter, named in the line: a day before the emulator started.
        stamp = re.search(r"not valid after (\S+)Z\)", proc.stderr.decode()).group(1)
        age = time.time() - calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S"))
        assert 86_400 <= age < 86_400 + 60, stamp

    cli = v1(env, *args)
    assert cli.returncode == 255, cli.stderr
    assert re.fullmatch(rf"\nSSL validation failed for {url} {theirs}\n", cli.stderr), cli.stderr
    # Nothing reached the service: the handshake failed.
    assert [r for r in emu.requests() if r["operation"] == "GetRoleCredentials"] == []


# --------------------------------------------------------------------------------------------------
# Chromium with the CA trusted


@pytest.fixture
def nss_trust(sandbox, emu):
    """Adds the emulator's CA to the NSS database Chromium reads on Linux ($HOME/.pki/nssdb of the
    sandbox HOME) as a trusted CA for TLS servers. Request it before `browser`."""
    certutil = shutil.which("certutil")
    if not certutil:
        pytest.fail("certutil is missing: run scripts/setup-test-deps (installs libnss3-tools)")
    db = sandbox.home / ".pki" / "nssdb"
    db.mkdir(parents=True)
    for argv in (["-N", "--empty-password"], ["-A", "-t", "C,,", "-n", "sso-emulator test CA", "-i", str(emu.ca_file)]):
        subprocess.run([certutil, "-d", f"sql:{db}", *argv], check=True, capture_output=True, timeout=30)
    return db


@pytest.fixture
def login(sandbox, emu, tmp_path):
    """start(*flags) -> (aws-sso login process trusting the CA, stand-in browser recording the URL)."""
    yield from login_processes(sandbox, tmp_path, AWS_CA_BUNDLE=str(emu.ca_file))


CALLBACK_OK = "Your credentials have been shared successfully and can be used until your session expires. You can now close this tab."
DEVICE_OK = "Request approved"


@pytest.mark.browser
@pytest.mark.parametrize("flow", ["pkce", "device-code"])
def test_chromium_signs_in_over_https_with_the_ca_trusted(nss_trust, browser, login, sandbox, emu, screenshot_dir, flow):
    proc, recorder = login(*(["--use-device-code"] if flow == "device-code" else []))
    url = recorder.wait_opened()
    assert url.startswith(f"{emu.url}/"), url

    browser.get(url)
    if flow == "pkce":
        done = page_text_contains(CALLBACK_OK)
        outcome, visited = walk_pages(browser, decision="allow", done=done, shots=screenshot_dir, name="tls-pkce")
        assert outcome == CALLBACK_OK
        assert visited == ["sign-in", "consent"], visited
        redirect_uri = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]
        assert browser.current_url.startswith(redirect_uri + "?code="), browser.current_url
    else:
        user_code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["user_code"]
        done = page_text_contains(DEVICE_OK)
        outcome, visited = walk_pages(browser, decision="allow", done=done, user_code=user_code, shots=screenshot_dir, name="tls-device")
        assert outcome == DEVICE_OK
        assert url == f"{emu.url}/device?user_code={user_code}"
        assert [v for v in visited if v != "code-entry"] == ["confirm", "sign-in", "consent"], visited
        assert browser.current_url.startswith(f"{emu.url}/device"), browser.current_url
    code, out, err = finish_aws_sso(proc)
    assert (code, err) == (0, ""), (out, err)
    assert out.endswith(SUCCESS), out
    token = json.loads(token_file(sandbox.home, SESSION_NAME).read_text())
    assert token["accessToken"] in emu.issued()["access_tokens"]


@pytest.mark.browser
def test_chromium_without_the_ca_shows_the_certificate_error(browser, emu):
    browser.get(f"{emu.url}/device")
    assert "ERR_CERT_AUTHORITY_INVALID" in browser.page_source
    assert "user_code" not in browser.page_source
