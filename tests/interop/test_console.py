"""Issue #9: `aws-sso console` end to end in a real headless Chromium.

aws-sso exchanges the role credentials it fetched for a sign-in token at the emulator's console
federation endpoint (AWS_ENDPOINT_URL_SIGNIN) and prints the sign-in URL; Chromium follows it and
lands, signed in, on the console page for the destination, showing the account and role. The
same URL does not work twice, and a browser without the console cookie is not signed in.
"""

from __future__ import annotations

import urllib.parse

import pytest

from support import SSO_PROFILES, run_aws_sso

pytestmark = [pytest.mark.browser, pytest.mark.emulator_args("--auto-approve", "demo")]


@pytest.fixture
def box(sandbox, emu):
    sandbox.write_config(SSO_PROFILES)
    sandbox.env["AWS_ENDPOINT_URL_SIGNIN"] = emu.url
    proc = run_aws_sso("login", "--profile", "dev", "--use-device-code", "--no-browser", env=sandbox.env)
    assert proc.returncode == 0, proc.stderr.decode()
    return sandbox


def sign_in_url(box, *extra: str) -> str:
    proc = run_aws_sso("console", "--profile", "dev", "--print", *extra, env=box.env)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode().strip()


def test_the_sign_in_url_lands_on_the_console_signed_in(box, emu, browser):
    url = sign_in_url(box, "--destination", "https://console.aws.amazon.com/s3/home?region=us-east-1")
    browser.get(url)
    assert urllib.parse.urlsplit(browser.current_url).path == "/console", browser.current_url
    text = lambda element: browser.find_element("id", element).text  # noqa: E731
    assert text("console-account") == "111111111111"
    assert text("console-role") == "ReadOnly"
    assert text("console-user") == "demo"
    assert text("console-destination") == "https://console.aws.amazon.com/s3/home?region=us-east-1"
    assert text("console-issuer") == "https://d-0000000000.awsapps.com/start"
    assert "(dev)" in text("console-identity")

    # The sign-in token was spent: the same URL now fails, and a fresh browser session has no
    # console.
    browser.delete_all_cookies()
    browser.get(url)
    assert "Console sign-in failed" in browser.title, browser.page_source[:500]
    browser.get(f"{emu.url}/console")
    assert "not signed in" in browser.find_element("id", "error").text


def test_the_default_destination_is_the_console_home_of_the_region(box, browser):
    url = sign_in_url(box)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["Destination"] == "https://console.aws.amazon.com/console/home?region=us-east-1"
    browser.get(url)
    assert browser.find_element("id", "console-role").text == "ReadOnly"
