"""Issue #4 end to end: `aws-sso login` with a real headless Chromium as the user's browser.

aws-sso runs as a subprocess with AWS_SSO_TEST_BROWSER set to a stand-in that only records the URL
it is asked to open; Selenium then opens that URL in Chromium and does what a person does: sign in
as demo/demo-password and click Allow (or Deny). For PKCE (the default for sso-session profiles)
the emulator's redirect lands on aws-sso's own loopback listener; for the device code flow
(`--use-device-code`) Chromium confirms the code and aws-sso's polling picks the approval up.
The deny paths and device-code expiry (emulator clock advanced) end with the AWS CLI's exit codes
and messages (cli-behavior §3.5-§3.8).
"""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from support import (
    SESSION_NAME,
    START_URL,
    WAIT_S,
    login_processes,
    finish_aws_sso,
    page_text_contains,
    token_file,
    wait_for,
    walk_pages,
)

pytestmark = pytest.mark.browser

PKCE_PROMPT = (
    "Attempting to open your default browser. If the browser does not open, open the following URL.\n"
    "If you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n"
    "\n"
    "{url}\n"
    "\n"
)
DEVICE_PROMPT = (
    "Attempting to open your default browser.\n"
    "If the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n"
    "\n"
    "{uri}\n"
    "\n"
    "Then enter the code:\n"
    "\n"
    "{code}\n"
)
SUCCESS = f"Successfully logged into Start URL: {START_URL}\n"
CALLBACK_OK = "Your credentials have been shared successfully and can be used until your session expires. You can now close this tab."
CALLBACK_DENIED = "The authentication redirect failed with the following error: access_denied"
EXPIRED = "The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted."


@pytest.fixture
def login(sandbox, tmp_path):
    """start(*flags) -> (aws-sso process, stand-in browser); the process is killed on teardown."""
    yield from login_processes(sandbox, tmp_path)


def cached_token(sandbox) -> dict | None:
    path = token_file(sandbox.home, SESSION_NAME)
    return json.loads(path.read_text()) if path.exists() else None


# --------------------------------------------------------------------------------------------------
# Authorization code + PKCE (the default)


def test_pkce_login_in_chromium(browser, login, sandbox, emu, screenshot_dir):
    proc, recorder = login()
    url = recorder.wait_opened()
    assert url.startswith(f"{emu.url}/authorize?response_type=code&client_id="), url
    redirect_uri = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]

    browser.get(url)
    outcome, visited = walk_pages(browser, decision="allow", done=page_text_contains(CALLBACK_OK, CALLBACK_DENIED), shots=screenshot_dir, name="aws-sso-pkce")
    browser.save_screenshot(str(screenshot_dir / "aws-sso-pkce-done.png"))

    assert outcome == CALLBACK_OK and visited == ["sign-in", "consent"], visited
    assert browser.current_url.startswith(redirect_uri + "?code="), browser.current_url
    code, out, err = finish_aws_sso(proc)
    assert (code, err) == (0, ""), (out, err)
    assert out == PKCE_PROMPT.format(url=url) + SUCCESS
    token = cached_token(sandbox)
    assert token and token["accessToken"] in emu.issued()["access_tokens"], token
    assert token["refreshToken"] and token["startUrl"] == START_URL


def test_pkce_login_denied_in_chromium(browser, login, sandbox, emu):
    proc, recorder = login()
    browser.get(recorder.wait_opened())
    outcome, _ = walk_pages(browser, decision="deny", done=page_text_contains(CALLBACK_OK, CALLBACK_DENIED))

    assert outcome == CALLBACK_DENIED
    code, out, err = finish_aws_sso(proc)
    # v2's line, then ours saying what happened.
    assert (code, err) == (
        255,
        "\naws: [ERROR]: Error loading authorization code: Failed to retrieve an authorization code.\n"
        "The sign-in was refused in the browser (Deny was chosen, or the sign-in page refused the request). Run the login again and choose Allow.\n",
    ), (out, err)
    assert cached_token(sandbox) is None
    assert not any(r["operation"] == "CreateToken" for r in emu.requests())


# --------------------------------------------------------------------------------------------------
# Device code


def device_url_and_code(recorder) -> tuple[str, str]:
    url = recorder.wait_opened()
    parts = urllib.parse.urlsplit(url)
    return url, dict(urllib.parse.parse_qsl(parts.query))["user_code"]


def test_device_code_login_in_chromium(browser, login, sandbox, emu, screenshot_dir):
    proc, recorder = login("--use-device-code")
    url, user_code = device_url_and_code(recorder)
    assert url == f"{emu.url}/device?user_code={user_code}"

    browser.get(url)
    outcome, visited = walk_pages(
        browser,
        decision="allow",
        user_code=user_code,
        done=page_text_contains("Request approved", "Request denied"),
        shots=screenshot_dir,
        name="aws-sso-device",
    )

    # The complete URL pre-fills the code; the emulator may still show the code-entry page first.
    assert outcome == "Request approved" and [v for v in visited if v != "code-entry"] == ["confirm", "sign-in", "consent"], visited
    code, out, err = finish_aws_sso(proc)
    assert (code, err) == (0, ""), (out, err)
    assert out == DEVICE_PROMPT.format(uri=f"{emu.url}/device", code=user_code) + SUCCESS
    token = cached_token(sandbox)
    assert token and token["accessToken"] in emu.issued()["access_tokens"], token


def test_device_code_login_denied_in_chromium(browser, login, sandbox, emu):
    proc, recorder = login("--use-device-code")
    url, user_code = device_url_and_code(recorder)
    browser.get(url)
    outcome, _ = walk_pages(browser, decision="deny", user_code=user_code, done=page_text_contains("Request approved", "Request denied"))

    assert outcome == "Request denied"
    code, out, err = finish_aws_sso(proc)
    assert code == 254, (out, err)
    # The OIDC error body has no `message`, so the line ends at the colon; after one blank line
    # its modeled fields follow (AWS CLI v2's layout).
    first, _, details = err.partition("\nAdditional error details:\n")
    assert first == "\naws: [ERROR]: An error occurred (AccessDeniedException) when calling the CreateToken operation:\n", err
    assert re.fullmatch(r"error: access_denied\nerror_description: [^\n]+\n", details), err
    assert cached_token(sandbox) is None


def test_device_code_expires_while_waiting(login, sandbox, emu):
    """Nobody approves; once the emulator's clock passes the code's lifetime (600 s) the next poll
    gets ExpiredTokenException and aws-sso gives up as the AWS CLI does."""
    proc, recorder = login("--use-device-code")
    _, user_code = device_url_and_code(recorder)
    wait_for(lambda: any(p["user_code"] == user_code for p in emu.pending()), "the device code to be pending")
    emu.advance(601)

    code, out, err = finish_aws_sso(proc, timeout=WAIT_S)
    # The service's clock jumped ten minutes ahead of this machine's, which aws-sso also names.
    assert code == 255, (out, err)
    assert err.startswith("warning: this machine's clock is 10m 0") and err.endswith(f"\naws: [ERROR]: {EXPIRED}\n"), (out, err)
    assert out == DEVICE_PROMPT.format(uri=f"{emu.url}/device", code=user_code)
    assert cached_token(sandbox) is None
    polls = [r for r in emu.requests() if r["operation"] == "CreateToken"]
    assert polls[-1]["status"] == 400 and all(p["body"]["deviceCode"] == polls[0]["body"]["deviceCode"] for p in polls)
