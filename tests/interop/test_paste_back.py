"""Paste-back login on a real terminal (a pty): the PKCE redirect's address, pasted at the
prompt, completes the sign-in when the browser cannot reach this machine.

* The browser never reaches the listener; pasting the address it ends on signs in, and the
  token works with boto3 (it is the same token exchange, with the same verifier).
* A foreign address (wrong state) is refused with a message and the wait goes on; the right one
  then succeeds.
* When the browser does reach the listener, the login completes without any input and the
  prompt's line is ended.

The "browser" is a script that records the sign-in URL; the test plays the far-away browser by
fetching it without following the redirect (the emulator's --auto-approve signs in at once) and
typing the redirect's Location into the terminal.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import AWS_SSO_BIN, SSO_PROFILES

pytestmark = pytest.mark.emulator_args("--auto-approve", "demo")

PROMPT = b"paste the address it ends on"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D102 - stop at the first redirect
        return None


def callback_address(authorize_url: str) -> str:
    """What a browser on another machine would show after signing in: the redirect target."""
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(authorize_url, timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code in (302, 303), redirect.code
        return redirect.headers["Location"]
    raise AssertionError("the sign-in page did not redirect")


class Terminal:
    """aws-sso with stdin and stderr on a pty (a person at a terminal), stdout on a pipe."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [str(AWS_SSO_BIN), *args], env=env, stdin=slave, stdout=subprocess.PIPE, stderr=slave, start_new_session=True
        )
        os.close(slave)
        self.seen = b""

    def expect(self, needle: bytes, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {needle!r}; terminal so far: {self.seen!r}"
            ready, _, _ = select.select([self.master], [], [], min(remaining, 0.5))
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    break

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=timeout)
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    break
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.seen += chunk
        except OSError:
            pass
        os.close(self.master)
        return self.proc.returncode, out.decode()


@pytest.fixture
def box(sandbox, emu, tmp_path: Path):
    sandbox.write_config(SSO_PROFILES)
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n')
    browser.chmod(0o755)
    sandbox.env["BROWSER"] = str(browser)
    sandbox.opened = opened
    sandbox.emu = emu
    return sandbox


def wait_for(path: Path, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
    return path.read_text()


def signed_in_token(box) -> str:
    tokens = [json.loads(p.read_text()) for p in box.token_cache.glob("*.json")]
    return next(t["accessToken"] for t in tokens if "accessToken" in t)


def test_a_pasted_address_signs_in_when_the_listener_is_never_reached(box, boto3_client):
    term = Terminal(["login", "--profile", "dev"], box.env)
    term.expect(PROMPT)
    address = callback_address(wait_for(box.opened))
    assert address.startswith("http://127.0.0.1:") and "/oauth/callback?code=" in address, address
    term.type(address)
    code, out = term.finish()
    assert code == 0, term.seen.decode(errors="replace")
    assert out.endswith("Successfully logged into Start URL: https://d-0000000000.awsapps.com/start\n"), out
    # The code was never echoed by aws-sso itself (the terminal echoes what is typed).
    assert term.seen.count(address.split("code=")[1].split("&")[0].encode()) <= 1
    sso = boto3_client("sso", box.emulator_url)
    accounts = sso.list_accounts(accessToken=signed_in_token(box))["accountList"]
    assert any(a["accountId"] == "111111111111" for a in accounts)


def test_a_foreign_address_is_refused_and_the_wait_goes_on(box):
    term = Terminal(["login", "--profile", "dev"], box.env)
    term.expect(PROMPT)
    address = callback_address(wait_for(box.opened))
    state_at = address.index("state=")
    foreign = address[: state_at + len("state=")] + "not-this-sign-in"
    term.type(foreign)
    term.expect(b"state does not match")
    assert term.proc.poll() is None, "a foreign address must not end the login"
    term.type("https://example.com/elsewhere")
    term.expect(b"That is not the address this sign-in ends on")
    term.type(address)
    code, out = term.finish()
    assert code == 0, term.seen.decode(errors="replace")
    assert "Successfully logged into Start URL" in out


def test_the_listener_winning_needs_no_input_and_closes_the_prompt(box, tmp_path: Path):
    follow = tmp_path / "follow"
    follow.write_text('#!/bin/sh\nexec curl -s -L -o /dev/null "$1"\n')
    follow.chmod(0o755)
    box.env["BROWSER"] = str(follow)
    term = Terminal(["login", "--profile", "dev"], box.env)
    code, out = term.finish()
    assert code == 0, term.seen.decode(errors="replace")
    assert "Successfully logged into Start URL" in out
    # Whatever of the prompt was drawn, its line was ended.
    if PROMPT in term.seen:
        assert term.seen.rstrip(b" ").endswith((b"\r\n", b"\n")), term.seen
