"""Browser end-to-end: a real headless Chromium (Debian's, via chromedriver and Selenium) walks the
emulator's pages the way a person would, and boto3 then redeems the result with CreateToken.
Device flow: verificationUriComplete (or verificationUri + typing the code) -> confirm -> sign in ->
Allow/Deny. Authorization code + PKCE: /authorize -> sign in -> Allow/Deny -> 302 to a loopback callback
server started here (wire-protocol §9, §10; the contract's page ids).
"""

from __future__ import annotations

import http.server
import queue
import threading
import time
import urllib.parse
import uuid

import pytest

from support import DEMO, DEVICE_GRANT, REG_DEVICE, REG_PKCE, START_URL, WAIT_S, authorize_url, make_verifier

pytestmark = pytest.mark.browser


class CallbackServer:
    """The loopback redirect target a CLI would run: records every /oauth/callback query."""

    def __init__(self) -> None:
        self.hits: queue.Queue[dict[str, str]] = queue.Queue()
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/oauth/callback":
                    hits.put(dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)))
                body = b"<!doctype html><title>callback</title><h1>callback received</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.server.server_address[1]}/oauth/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self) -> dict[str, str] | None:
        try:
            return self.hits.get_nowait()
        except queue.Empty:
            return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callback():
    server = CallbackServer()
    yield server
    server.close()


def present(driver, element_id):
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.ID, element_id)
    return found[0] if found else None


def click_and_wait(driver, element):
    """Clicks a submit button and waits until the browser has left the page."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    element.click()
    WebDriverWait(driver, WAIT_S).until(ec.staleness_of(element))


def drive(driver, *, decision, user=DEMO, user_code=None, done, shots=None, name="page"):
    """Acts on whatever page is showing until done(driver) returns something; returns that.

    Screenshots of the sign-in and consent pages go to `shots` (a directory) when given."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    deadline = time.monotonic() + WAIT_S * 2
    visited = []
    while time.monotonic() < deadline:
        # Look only at a page that has finished loading; a look at a page that navigated
        # meanwhile ("Node with given id does not belong to the document") is retried.
        try:
            if driver.execute_script("return document.readyState") != "complete":
                time.sleep(0.05)
                continue
            result = _drive_step(driver, decision, user, user_code, done, shots, name, visited)
        except StaleElementReferenceException:
            continue
        except WebDriverException as error:
            if "does not belong to the document" not in str(error):
                raise
            continue
        if result:
            return result, visited
    raise AssertionError(f"browser stuck after {visited} at {driver.current_url}:\n{driver.page_source[:2000]}")


def _drive_step(driver, decision, user, user_code, done, shots, name, visited):
    """One look at the current page: the `done` result, or None after acting on the page."""
    from selenium.webdriver.common.by import By

    result = done(driver)
    if result:
        return result
    if button := present(driver, decision):
        visited.append("consent")
        if shots:
            driver.save_screenshot(str(shots / f"{name}-consent.png"))
        assert present(driver, "allow") and present(driver, "deny"), "the consent page has both Allow and Deny"
        click_and_wait(driver, button)
    elif field := present(driver, "username"):
        visited.append("sign-in")
        if shots:
            driver.save_screenshot(str(shots / f"{name}-sign-in.png"))
        # Accessible labels (contract): both fields are labelled, the password is masked.
        assert driver.find_elements(By.CSS_SELECTOR, 'label[for="username"]'), "username has no <label for>"
        assert driver.find_elements(By.CSS_SELECTOR, 'label[for="password"]'), "password has no <label for>"
        password = present(driver, "password")
        assert password.get_attribute("type") == "password"
        field.clear()
        field.send_keys(user[0])
        password.clear()
        password.send_keys(user[1])
        click_and_wait(driver, present(driver, "sign-in"))
    elif button := present(driver, "confirm"):
        visited.append("confirm")
        if user_code:
            assert user_code in driver.find_element(By.TAG_NAME, "body").text, "the confirm page shows the code"
        assert present(driver, "cancel"), "the confirm page has Cancel"
        click_and_wait(driver, button)
    elif field := present(driver, "user_code"):
        visited.append("code-entry")
        if not field.get_attribute("value"):
            field.send_keys(user_code)
        click_and_wait(driver, present(driver, "next"))
    else:
        time.sleep(0.05)
    return None


def body_text_contains(*needles):
    from selenium.webdriver.common.by import By

    def check(driver):
        bodies = driver.find_elements(By.TAG_NAME, "body")
        text = bodies[0].text if bodies else ""
        return next((n for n in needles if n in text), None)

    return check


# --------------------------------------------------------------------------------------------------
# Device flow


def start_device(oidc):
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    return reg, dev


def test_device_code_approved_in_the_browser(browser, emu, oidc, portal, screenshot_dir):
    reg, dev = start_device(oidc)
    browser.get(dev["verificationUriComplete"])
    outcome, visited = drive(
        browser,
        decision="allow",
        user_code=dev["userCode"],
        done=body_text_contains("Request approved", "Request denied"),
        shots=screenshot_dir,
        name="device-allow",
    )
    browser.save_screenshot(str(screenshot_dir / "device-allow-done.png"))
    assert outcome == "Request approved"
    assert visited == ["confirm", "sign-in", "consent"] or visited == ["code-entry", "confirm", "sign-in", "consent"], visited

    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    assert tok["accessToken"] and tok["refreshToken"]
    assert portal.list_accounts(accessToken=tok["accessToken"])["accountList"]


def test_device_code_typed_by_hand_and_denied(browser, emu, oidc):
    from botocore.exceptions import ClientError

    reg, dev = start_device(oidc)
    browser.get(dev["verificationUri"])
    outcome, visited = drive(browser, decision="deny", user_code=dev["userCode"], done=body_text_contains("Request approved", "Request denied"))
    assert outcome == "Request denied"
    assert visited[0] == "code-entry", visited

    with pytest.raises(ClientError) as raised:
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert raised.value.response["error"] == "access_denied"


def test_device_browser_session_is_reused_for_a_second_code(browser, emu, oidc):
    """After one sign-in the browser session cookie skips the sign-in page."""
    for expected in (["confirm", "sign-in", "consent"], ["confirm", "consent"]):
        reg, dev = start_device(oidc)
        browser.get(dev["verificationUriComplete"])
        outcome, visited = drive(browser, decision="allow", user_code=dev["userCode"], done=body_text_contains("Request approved"))
        assert [v for v in visited if v != "code-entry"] == expected
        tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
        assert tok["accessToken"]


# --------------------------------------------------------------------------------------------------
# Authorization code + PKCE


def test_authorize_approved_in_the_browser(browser, emu, oidc, portal, callback, screenshot_dir):
    reg = oidc.register_client(**REG_PKCE)
    state, verifier = str(uuid.uuid4()), make_verifier()
    browser.get(authorize_url(emu.url, reg["clientId"], callback.redirect_uri, state, verifier))
    query, visited = drive(browser, decision="allow", done=lambda _d: callback.received(), shots=screenshot_dir, name="authorize-allow")
    assert visited == ["sign-in", "consent"], visited
    assert set(query) == {"code", "state"}, query
    assert query["state"] == state
    assert browser.current_url.startswith(callback.redirect_uri + "?")

    tok = oidc.create_token(
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        grantType="authorization_code",
        code=query["code"],
        redirectUri=callback.redirect_uri,
        codeVerifier=verifier,
    )
    assert tok["accessToken"] and tok["refreshToken"] and tok["expiresIn"] == 3600
    assert portal.list_accounts(accessToken=tok["accessToken"])["accountList"]


def test_authorize_denied_in_the_browser(browser, emu, oidc, callback):
    reg = oidc.register_client(**REG_PKCE)
    state, verifier = str(uuid.uuid4()), make_verifier()
    browser.get(authorize_url(emu.url, reg["clientId"], callback.redirect_uri, state, verifier))
    query, visited = drive(browser, decision="deny", done=lambda _d: callback.received())
    assert visited == ["sign-in", "consent"], visited
    assert query["error"] == "access_denied", query
    assert query["error_description"], query
    assert query["state"] == state
    assert "code" not in query
