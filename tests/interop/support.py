"""Shared machinery for the interop suite: the emulator process, the sandboxed real clients (AWS CLI v1
as a subprocess, boto3 in-process), an HTML form driver for the browser pages over plain HTTP, and the
PKCE / authorize-URL helpers built exactly the way AWS CLI v2 builds them (cli-behavior.md §3.6).

Everything here talks to 127.0.0.1 only. Nothing in this module asserts; tests do.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import queue
import re
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("SSO_BIN_DIR") or REPO / "target" / "debug")
EMULATOR_BIN = BIN_DIR / "sso-emulator"
# The venv's own console scripts live next to its interpreter; `aws` is AWS CLI v1 (awscli==1.45.11).
AWS_CLI = Path(sys.executable).parent / "aws"

START_URL = "https://d-0000000000.awsapps.com/start"
REGION = "us-east-1"
DEMO = ("demo", "demo-password")
ALICE = ("alice", "alice-password")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# Exact registration bodies the real clients send (wire-protocol §14.5, cli-behavior §3.4).
# CLI v2, sso-session "my-sso", device flow (scopes configured): refreshable tokens.
REG_DEVICE = {"clientName": "botocore-client-my-sso", "clientType": "public", "scopes": ["sso:account:access"]}
# CLI v2 legacy profile (no sso-session): no scopes, so legacy (non-refreshable) tokens.
REG_LEGACY = {"clientName": "botocore-client-1700000000", "clientType": "public"}
# CLI v2 authorization-code (PKCE) flow, in CLI v2's kwarg order.
REG_PKCE = {
    "clientName": "botocore-client-my-sso",
    "clientType": "public",
    "grantTypes": ["authorization_code", "refresh_token"],
    "redirectUris": ["http://127.0.0.1/oauth/callback"],
    "issuerUrl": START_URL,
    "scopes": ["sso:account:access"],
}

# How long any single wait in this suite may take before it is reported as a failure.
WAIT_S = 20

_ERROR_LINE = re.compile(
    r"An error occurred \((?P<code>[^)]*)\) when calling the (?P<op>\w+) operation"
    r"(?: \(reached max retries: (?P<retries>\d+)\))?: (?P<message>.*)$"
)


# --------------------------------------------------------------------------------------------------
# The emulator process


class EmulatorStartError(RuntimeError):
    """The emulator did not print its READY line; carries its stderr so the failure is diagnosable."""


class Emulator:
    """A running `sso-emulator --port 0 --enable-control ...` subprocess."""

    def __init__(self, args: list[str], workdir: Path, ready_timeout: float = 30.0) -> None:
        if not EMULATOR_BIN.is_file():
            raise EmulatorStartError(
                f"{EMULATOR_BIN} does not exist: build it with `cargo build -p sso-emulator --bins` "
                "or point SSO_BIN_DIR at the directory that holds it"
            )
        self.args = [str(EMULATOR_BIN), *args]
        self.stderr_path = workdir / f"sso-emulator-{uuid.uuid4().hex[:8]}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            self.args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=_emulator_env(),
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        line = self._next_stdout_line(ready_timeout)
        # `--tls` makes it https://, with the CA written where `--tls-ca-out` says.
        self.ca_file: Path | None = Path(args[args.index("--tls-ca-out") + 1]) if "--tls-ca-out" in args else None
        scheme = rb"https" if "--tls" in args else rb"http"
        m = re.fullmatch(rb"READY (" + scheme + rb"://127\.0\.0\.1:(\d+))\r?\n", line or b"")
        if not m:
            self.kill()
            raise EmulatorStartError(
                f"`{shlex.join(self.args)}` did not print `READY {scheme.decode()}://127.0.0.1:PORT` within "
                f"{ready_timeout}s; first stdout line: {line!r}; exit code: {self.proc.poll()}\n"
                f"--- stderr ---\n{self.stderr_text()}"
            )
        self.url: str = m.group(1).decode()
        self.port: int = int(m.group(2))

    # stdout is read by a thread so that waits can time out and later output can be checked.
    def _pump_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            self._lines.put(raw)
        self._lines.put(None)

    def _next_stdout_line(self, timeout: float) -> bytes | None:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def extra_stdout(self) -> list[bytes]:
        """Every stdout line after READY that has arrived so far (the contract says: none)."""
        out = []
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return out
            if line is not None:
                out.append(line)

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """Signal the process and wait; returns its exit code, or None if it had to be killed."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        self._stderr.close()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._stderr.close()

    # -- control routes (/_emulator/...) ------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Raw control-route call: (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        opener = _NO_PROXY_OPENER
        if self.url.startswith("https://"):
            # Test machinery, not a client under test: it must reach an emulator whose certificate
            # is deliberately wrong (--tls-leaf-host, --tls-leaf-expired) too, so it verifies nothing.
            opener = _NO_PROXY_UNVERIFIED_OPENER
        try:
            with opener.open(req, timeout=WAIT_S) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def _ok(self, method: str, path: str, body: Any = None) -> Any:
        status, parsed = self.control(method, path, body)
        if status != 200:
            raise AssertionError(f"{method} {path} {json.dumps(body)} -> HTTP {status}: {parsed!r}")
        return parsed

    def approve(self, user_code: str, user: str = "demo") -> Any:
        return self._ok("POST", "/_emulator/device/approve", {"user_code": user_code, "user": user})

    def deny(self, user_code: str) -> Any:
        return self._ok("POST", "/_emulator/device/deny", {"user_code": user_code})

    def pending(self) -> list[dict]:
        return self._ok("GET", "/_emulator/device/pending")["pending"]

    def advance(self, seconds: int) -> str:
        return self._ok("POST", "/_emulator/clock/advance", {"seconds": seconds})["now"]

    def revoke(self, **who: str) -> int:
        return self._ok("POST", "/_emulator/sessions/revoke", who)["revoked"]

    def requests(self) -> list[dict]:
        return self._ok("GET", "/_emulator/requests")["requests"]

    def clear_requests(self) -> None:
        self._ok("DELETE", "/_emulator/requests")

    def issued(self) -> dict:
        return self._ok("GET", "/_emulator/issued")

    def counters(self) -> dict:
        return self._ok("GET", "/_emulator/counters")


def _emulator_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not scrubbed(k)}
    env.setdefault("RUST_BACKTRACE", "1")
    return env


def scrubbed(name: str) -> bool:
    """AWS_* and proxy variables must never leak from the developer's shell into a client or server."""
    upper = name.upper()
    return upper.startswith("AWS_") or upper in {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}


# urllib honours *_proxy variables; the control client must always go straight to loopback.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_NO_PROXY_UNVERIFIED_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))


# --------------------------------------------------------------------------------------------------
# Real clients


@dataclass
class ApiError(Exception):
    """A service error as a real client reported it.

    `text` is the line both clients render: `An error occurred (CODE) when calling the OP operation
    [(reached max retries: N)]: MESSAGE` (AWS CLI v1 prints it on stderr; boto3's ClientError str()).
    `response` is botocore's parsed error dict (boto3 only)."""

    client: str
    code: str
    message: str
    text: str
    retries: int | None = None
    response: dict | None = None
    exit_code: int | None = None

    def __str__(self) -> str:
        return f"[{self.client}] {self.text}"


@dataclass
class Sandbox:
    """A throwaway HOME with its own AWS config; the only environment the clients ever see."""

    home: Path
    config_file: Path
    env: dict[str, str]
    emulator_url: str

    @property
    def token_cache(self) -> Path:
        return self.home / ".aws" / "sso" / "cache"

    def write_config(self, text: str) -> None:
        self.config_file.write_text(BASE_CONFIG + text)


BASE_CONFIG = """[default]
region = us-east-1
# AWS CLI v1 fetches any parameter value starting with http:// or https:// unless this is off
# (wire-protocol §14.5): --start-url, --issuer-url and --redirect-uris would all be fetched.
cli_follow_urlparam = false
"""


def make_sandbox(root: Path, emulator_url: str) -> Sandbox:
    home = root / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    config = home / ".aws" / "config"
    config.write_text(BASE_CONFIG)
    env = {k: v for k, v in os.environ.items() if not scrubbed(k)}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ENDPOINT_URL_SSO=emulator_url,
        AWS_ENDPOINT_URL_SSO_OIDC=emulator_url,
        # Unsigned operations never need credentials; make sure nothing probes 169.254.169.254.
        AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY="*",
        no_proxy="*",
    )
    return Sandbox(home=home, config_file=config, env=env, emulator_url=emulator_url)


def apply_env(monkeypatch: Any, env: dict[str, str]) -> None:
    """Makes the test process's own environment exactly `env` (boto3 runs in-process)."""
    for k in list(os.environ):
        if k not in env:
            monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)


ENDPOINT_MODES = ("endpoint-url", "env")
CLIENT_KINDS = ("cli", "boto3")


class Clients:
    """Calls one SSO / SSO-OIDC operation through a chosen real client and endpoint mode.

    mode "endpoint-url": AWS_ENDPOINT_URL_SSO[_OIDC] are removed and the endpoint is passed explicitly
    (`--endpoint-url` / `endpoint_url=`), so only the flag can route the request to the emulator.
    mode "env": no flag; only AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC route it.
    """

    def __init__(self, sandbox: Sandbox, mode: str, monkeypatch: Any) -> None:
        assert mode in ENDPOINT_MODES
        self.sandbox = sandbox
        self.mode = mode
        self.url = sandbox.emulator_url
        self.env = dict(sandbox.env)
        if mode == "endpoint-url":
            del self.env["AWS_ENDPOINT_URL_SSO"], self.env["AWS_ENDPOINT_URL_SSO_OIDC"]
        apply_env(monkeypatch, self.env)

    # -- boto3 --------------------------------------------------------------------------------

    def boto3(self, service: str, retries: dict | None = None, **config: Any) -> Any:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(region_name=REGION)
        # The SDK's own retry behaviour unless a test chooses one: it is part of what is under test.
        cfg = Config(connect_timeout=5, read_timeout=WAIT_S, **({"retries": retries} if retries else {}), **config)
        endpoint = self.url if self.mode == "endpoint-url" else None
        return session.client(service, endpoint_url=endpoint, config=cfg)

    # -- AWS CLI v1 ---------------------------------------------------------------------------

    def aws(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        argv = [str(AWS_CLI), *args, "--output", "json"]
        if self.mode == "endpoint-url":
            argv += ["--endpoint-url", self.url]
        return subprocess.run(
            argv,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    # -- one operation through either client ----------------------------------------------------

    def call(self, kind: str, service: str, op: str, *, cli_env: dict | None = None, retries: dict | None = None, **params: Any) -> dict:
        """Runs `op` and returns the parsed response (no ResponseMetadata), or raises ApiError."""
        if kind == "boto3":
            from botocore import xform_name
            from botocore.exceptions import ClientError

            client = self.boto3(service, retries=retries)
            try:
                out = getattr(client, xform_name(op))(**params)
            except ClientError as e:
                err = e.response.get("Error", {})
                m = _ERROR_LINE.search(str(e))
                raise ApiError(
                    client="boto3",
                    code=err.get("Code", ""),
                    message=err.get("Message", ""),
                    text=str(e),
                    retries=int(m.group("retries")) if m and m.group("retries") else None,
                    response=e.response,
                ) from None
            out.pop("ResponseMetadata", None)
            return out
        assert kind == "cli", kind
        proc = self.aws(service, cli_command(op), *cli_args(params), *(["--no-paginate"] if op in PAGINATED else []), env=cli_env)
        if proc.returncode == 0:
            return json.loads(proc.stdout) if proc.stdout.strip() else {}
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        for ln in lines:
            m = _ERROR_LINE.search(ln)
            if m:
                raise ApiError(
                    client="cli",
                    code=m.group("code"),
                    message=m.group("message"),
                    text=m.group(0),
                    retries=int(m.group("retries")) if m.group("retries") else None,
                    exit_code=proc.returncode,
                )
        raise AssertionError(f"aws {service} {cli_command(op)} exited {proc.returncode} without a service error:\n{proc.stderr}")


PAGINATED = {"ListAccounts", "ListAccountRoles"}


def cli_command(op: str) -> str:
    from botocore import xform_name

    return xform_name(op, "-")


def cli_args(params: dict[str, Any]) -> list[str]:
    from botocore import xform_name

    out: list[str] = []
    for name, value in params.items():
        flag = "--" + xform_name(name, "-")
        if isinstance(value, list):
            out.append(flag)
            out.extend(str(v) for v in value)
        else:
            # `--flag=value`: base64url secrets and codes may start with "-", which argparse would
            # otherwise take for an option.
            out.append(f"{flag}={value}")
    return out


def expect_error(fn: Any, *args: Any, **kwargs: Any) -> ApiError:
    """Runs fn and returns the ApiError it must raise (fails the test when it succeeds)."""
    try:
        out = fn(*args, **kwargs)
    except ApiError as e:
        return e
    raise AssertionError(f"expected a service error, got success: {out!r}")


def error_line(code: str, op: str, message: str, retries: int | None = None) -> str:
    tail = f" (reached max retries: {retries})" if retries is not None else ""
    return f"An error occurred ({code}) when calling the {op} operation{tail}: {message}"


# --------------------------------------------------------------------------------------------------
# OAuth helpers


def make_verifier() -> str:
    """A PKCE code verifier exactly like CLI v2's: 64 chars drawn from A-Z a-z 0-9 - . _ ~."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    return "".join(secrets.choice(alphabet) for _ in range(64))


def challenge(verifier: str) -> str:
    """base64url(SHA-256(verifier)) with the single trailing '=' stripped (CLI v2 does it by hand)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def authorize_url(base: str, client_id: str, redirect_uri: str, state: str, verifier: str, scopes: str = "sso:account:access") -> str:
    """The /authorize URL exactly as CLI v2 builds it: scheme://host:port of the OIDC endpoint +
    `/authorize?` + params in CLI v2's order, encoded with botocore's percent_encode_sequence."""
    from botocore.utils import percent_encode_sequence

    parts = urllib.parse.urlsplit(base)
    query = percent_encode_sequence(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge_method": "S256",
            "scopes": scopes,
            "code_challenge": challenge(verifier),
        }
    )
    return f"{parts.scheme}://{parts.netloc}/authorize?{query}"


# --------------------------------------------------------------------------------------------------
# Driving the HTML pages over plain HTTP (no browser): enough of a form engine for the emulator's pages.


@dataclass
class Form:
    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._button: dict[str, str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=(a.get("method") or "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                self.forms[-1].buttons.append({**a, "text": a.get("value", "")})
            else:
                self.forms[-1].inputs.append(a)
        elif tag == "button":
            self._button = {**a, "text": ""}
            self.forms[-1].buttons.append(self._button)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._button is not None:
            self._button["text"] += data.strip()


def parse_page(html: str) -> tuple[list[Form], str]:
    p = _FormParser()
    p.feed(html)
    return p.forms, " ".join(" ".join(p.text).split())


def submit(session: Any, page_url: str, html: str, button_id: str, values: dict[str, str] | None = None) -> Any:
    """Submits the form that holds the button with id `button_id`, the way a browser would: the form's
    own fields with their default values, overridden by `values`, plus the clicked button's name=value."""
    forms, text = parse_page(html)
    for form in forms:
        for b in form.buttons:
            if b.get("id") == button_id:
                data: dict[str, str] = {}
                for i in form.inputs:
                    if i.get("name") and i.get("type", "text").lower() not in ("checkbox", "radio"):
                        data[i["name"]] = i.get("value", "")
                data.update(values or {})
                if b.get("name"):
                    data[b["name"]] = b.get("value", "")
                target = urllib.parse.urljoin(page_url, form.action or page_url)
                if form.method == "post":
                    return session.post(target, data=data, allow_redirects=False, timeout=WAIT_S)
                return session.get(target, params=data, allow_redirects=False, timeout=WAIT_S)
    raise AssertionError(f"no form with a button id={button_id!r} on {page_url}; page text: {text[:500]!r}")


def new_http_session() -> Any:
    import requests

    s = requests.Session()
    s.trust_env = False  # never a proxy, never a .netrc
    return s


def http_authorize(url: str, redirect_uri: str, user: tuple[str, str] = DEMO, decision: str = "allow", session: Any = None) -> dict[str, str]:
    """Walks an /authorize URL through sign-in and consent with plain HTTP and returns the query the
    browser would have delivered to `redirect_uri` (the final 302 is not followed)."""
    s = session or new_http_session()
    r = s.get(url, allow_redirects=False, timeout=WAIT_S)
    seen = []
    for _ in range(12):
        seen.append(f"{r.status_code} {r.url}")
        if r.status_code in (301, 302, 303, 307, 308):
            loc = urllib.parse.urljoin(r.url, r.headers["Location"])
            if loc.split("?", 1)[0] == redirect_uri:
                return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query, keep_blank_values=True))
            r = s.get(loc, allow_redirects=False, timeout=WAIT_S)
            continue
        if r.status_code != 200:
            raise AssertionError(f"authorize flow: HTTP {r.status_code} at {r.url}: {r.text[:500]!r} (steps: {seen})")
        forms, text = parse_page(r.text)
        ids = {b.get("id") for f in forms for b in f.buttons}
        if "sign-in" in ids:
            r = submit(s, r.url, r.text, "sign-in", {"username": user[0], "password": user[1]})
        elif decision in ids:
            r = submit(s, r.url, r.text, decision)
        else:
            raise AssertionError(f"authorize flow: no sign-in or {decision} button at {r.url}; text: {text[:500]!r}")
    raise AssertionError(f"authorize flow did not reach {redirect_uri}: {seen}")


# --------------------------------------------------------------------------------------------------
# Composite flows (setup steps run with boto3 directly; the step under test uses the client under test)


@dataclass
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_in: int
    client_id: str
    client_secret: str
    registration: dict


def device_tokens(emu: Emulator, oidc: Any, registration: dict = REG_DEVICE, user: str = "demo") -> Tokens:
    reg = oidc.register_client(**registration)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"], user)
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    return Tokens(tok["accessToken"], tok.get("refreshToken"), tok["expiresIn"], reg["clientId"], reg["clientSecret"], reg)


def assignments(portal: Any, access_token: str) -> set[tuple[str, str]]:
    """Every (accountId, roleName) the token's user may assume, read with boto3's paginators."""
    out = set()
    for page in portal.get_paginator("list_accounts").paginate(accessToken=access_token):
        for acct in page["accountList"]:
            roles = portal.get_paginator("list_account_roles").paginate(accessToken=access_token, accountId=acct["accountId"])
            out |= {(r["accountId"], r["roleName"]) for p in roles for r in p["roleList"]}
    return out


def wait_for(predicate: Any, what: str, timeout: float = WAIT_S, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------
# aws-sso, the binary under test (issues #4 and #5 suites)

AWS_SSO_BIN = BIN_DIR / "aws-sso"

# A config with one sso-session profile (`dev`, session `my-sso`, so registrations match REG_DEVICE /
# REG_PKCE) and one legacy profile (`legacy`), both on the emulator's built-in directory.
SESSION_NAME = "my-sso"
SSO_PROFILES = f"""
[profile dev]
sso_session = {SESSION_NAME}
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = us-east-1

[sso-session {SESSION_NAME}]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-1
"""


def run_aws_sso(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs `aws-sso ARGS` to completion with exactly `env`; stdout/stderr captured as bytes."""
    if not AWS_SSO_BIN.is_file():
        raise AssertionError(f"{AWS_SSO_BIN} does not exist: build it with `cargo build -p aws-sso --bins` or set SSO_BIN_DIR")
    return subprocess.run([str(AWS_SSO_BIN), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def start_aws_sso(*args: str, env: dict[str, str], workdir: Path) -> subprocess.Popen:
    """Starts `aws-sso ARGS` in the background (its own process group); stdout and stderr go to
    files in `workdir` so a long-running login can never block on a full pipe. Read them with
    `finish_aws_sso`."""
    if not AWS_SSO_BIN.is_file():
        raise AssertionError(f"{AWS_SSO_BIN} does not exist: build it with `cargo build -p aws-sso --bins` or set SSO_BIN_DIR")
    tag = uuid.uuid4().hex[:8]
    out = open(workdir / f"aws-sso-{tag}.stdout", "w+b")
    err = open(workdir / f"aws-sso-{tag}.stderr", "w+b")
    proc = subprocess.Popen([str(AWS_SSO_BIN), *args], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    proc.out_file, proc.err_file = out, err  # type: ignore[attr-defined]
    return proc


def finish_aws_sso(proc: subprocess.Popen, timeout: float = WAIT_S) -> tuple[int, str, str]:
    """Waits for a `start_aws_sso` process (killing its group on timeout, then failing) and returns
    (exit code, stdout, stderr)."""
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_process_group(proc)
        code = None
    texts = []
    for f in (proc.out_file, proc.err_file):  # type: ignore[attr-defined]
        f.seek(0)
        texts.append(f.read().decode("utf-8", errors="replace"))
        f.close()
    if code is None:
        raise AssertionError(f"aws-sso did not exit within {timeout}s; stdout:\n{texts[0]}\nstderr:\n{texts[1]}")
    return code, texts[0], texts[1]


def stop_process_group(proc: subprocess.Popen) -> None:
    """Kills a process started with start_new_session=True together with its children."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def token_file(home: Path, key: str) -> Path:
    """The SSO token-cache file for an sso-session name or a legacy start URL (cli-behavior §2.2)."""
    return home / ".aws" / "sso" / "cache" / (hashlib.sha1(key.encode()).hexdigest() + ".json")


def utc_stamp(epoch: float) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`, the cache files' timestamp format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_stamp(text: str) -> float:
    """Epoch seconds of a `…Z` cache timestamp."""
    import calendar

    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


_FAKE_BROWSER = r'''#!{python}
"""A stand-in browser for AWS_SSO_TEST_BROWSER: records the URL it is given and, when told to,
visits it the way a browser would, following redirects by hand so every Location is recorded."""
import sys, urllib.parse, urllib.request

RECORD, FOLLOW, url = {record!r}, {follow!r}, sys.argv[-1]
with open(RECORD, "a") as f:
    f.write("open " + url + "\n")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}), NoRedirect)
for _ in range(10 if FOLLOW else 0):
    try:
        with opener.open(url, timeout=20) as resp:
            resp.read()
        break
    except urllib.error.HTTPError as e:
        location = e.headers.get("Location")
        if e.code not in (301, 302, 303, 307, 308) or not location:
            break
        url = urllib.parse.urljoin(url, location)
        with open(RECORD, "a") as f:
            f.write("redirect " + url + "\n")
    except Exception as e:
        with open(RECORD, "a") as f:
            f.write("error " + repr(e) + "\n")
        break
'''


@dataclass
class FakeBrowser:
    """An AWS_SSO_TEST_BROWSER command (`command`) plus the file where it records what it did."""

    command: str
    record: Path

    def lines(self) -> list[tuple[str, str]]:
        if not self.record.exists():
            return []
        return [tuple(ln.split(" ", 1)) for ln in self.record.read_text().splitlines() if " " in ln]  # type: ignore[misc]

    def opened(self) -> list[str]:
        return [url for kind, url in self.lines() if kind == "open"]

    def redirects(self) -> list[str]:
        return [url for kind, url in self.lines() if kind == "redirect"]

    def wait_opened(self, timeout: float = WAIT_S) -> str:
        return wait_for(lambda: (self.opened() or [None])[0], "aws-sso to open the browser", timeout)


def fake_browser(directory: Path, follow: bool) -> FakeBrowser:
    """Writes a stand-in browser script into `directory`. With follow=False it only records the URL
    (the test then opens it, e.g. in Chromium); with follow=True it also fetches it and follows the
    redirects (an --auto-approve emulator redirects /authorize straight to aws-sso's listener)."""
    directory.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    record = directory / f"browser-{tag}.log"
    script = directory / f"browser-{tag}.py"
    script.write_text(_FAKE_BROWSER.format(python=sys.executable, record=str(record), follow=follow))
    script.chmod(0o755)
    return FakeBrowser(command=str(script), record=record)


# --------------------------------------------------------------------------------------------------
# Chromium page walking that tolerates navigation races (for the aws-sso browser suite)


def _transient_webdriver_error(error: Exception) -> bool:
    """Errors that only mean "the page changed under us": the next look at the page settles it."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException

    if isinstance(error, (StaleElementReferenceException, NoSuchElementException)):
        return True
    return isinstance(error, WebDriverException) and "does not belong to the document" in str(error)


def walk_pages(driver: Any, *, decision: str, done: Any, user: tuple[str, str] = DEMO, user_code: str | None = None, shots: Path | None = None, name: str = "page") -> tuple[Any, list[str]]:
    """Acts on whichever emulator page Chromium shows (code entry, confirm, sign-in, consent) until
    `done(driver)` returns something truthy; returns (that, the pages acted on, in order).

    Each step waits for the document to finish loading and for the clicked button to go stale,
    and a look at a page that navigated meanwhile is simply retried, so a slow machine cannot
    turn a page transition into a failure."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    def element(element_id: str) -> Any:
        found = driver.find_elements(By.ID, element_id)
        return found[0] if found else None

    def click(button: Any) -> None:
        button.click()
        WebDriverWait(driver, WAIT_S).until(ec.staleness_of(button))

    def loaded() -> bool:
        return driver.execute_script("return document.readyState") == "complete"

    deadline = time.monotonic() + WAIT_S * 2
    visited: list[str] = []
    while time.monotonic() < deadline:
        try:
            if not loaded():
                time.sleep(0.05)
                continue
            result = done(driver)
            if result:
                return result, visited
            if button := element(decision):
                if shots:
                    driver.save_screenshot(str(shots / f"{name}-consent.png"))
                click(button)
                visited.append("consent")
            elif field := element("username"):
                if shots:
                    driver.save_screenshot(str(shots / f"{name}-sign-in.png"))
                field.clear()
                field.send_keys(user[0])
                password = element("password")
                password.clear()
                password.send_keys(user[1])
                click(element("sign-in"))
                visited.append("sign-in")
            elif button := element("confirm"):
                if user_code and user_code not in driver.find_element(By.TAG_NAME, "body").text:
                    raise AssertionError(f"the confirm page does not show the code {user_code}")
                click(button)
                visited.append("confirm")
            elif field := element("user_code"):
                if not field.get_attribute("value"):
                    field.send_keys(user_code or "")
                click(element("next"))
                visited.append("code-entry")
            else:
                time.sleep(0.05)
        except Exception as e:  # noqa: BLE001 (only navigation races are swallowed)
            if not _transient_webdriver_error(e):
                raise
            time.sleep(0.05)
    raise AssertionError(f"browser stuck after {visited} at {driver.current_url}:\n{driver.page_source[:2000]}")


def page_text_contains(*needles: str) -> Any:
    """A `done` predicate for walk_pages: the first of `needles` found in the page's text."""
    from selenium.webdriver.common.by import By

    def check(driver: Any) -> str | None:
        bodies = driver.find_elements(By.TAG_NAME, "body")
        text = bodies[0].text if bodies else ""
        return next((n for n in needles if n in text), None)

    return check


def login_processes(sandbox: Sandbox, workdir: Path, **extra_env: str) -> Iterator[Callable[..., tuple[subprocess.Popen, FakeBrowser]]]:
    """For a fixture to `yield from`: start(*flags) -> (a running `aws-sso login --profile dev
    FLAGS` in `sandbox` with `extra_env`, the stand-in browser recording the URL it is given).
    Every process started is stopped when the fixture ends."""
    sandbox.write_config(SSO_PROFILES)
    started: list[subprocess.Popen] = []

    def start(*flags: str) -> tuple[subprocess.Popen, FakeBrowser]:
        recorder = fake_browser(workdir / "browser", follow=False)
        env = {**sandbox.env, "AWS_SSO_TEST_BROWSER": recorder.command, **extra_env}
        proc = start_aws_sso("login", "--profile", "dev", *flags, env=env, workdir=workdir)
        started.append(proc)
        return proc, recorder

    yield start
    for proc in started:
        stop_process_group(proc)
