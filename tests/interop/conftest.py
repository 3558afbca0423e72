"""Fixtures for the interop suite: one sso-emulator process per test (started with `--port 0
--enable-control` plus whatever the test needs), a sandboxed HOME/AWS config for the real clients, the
client matrix (AWS CLI v1 / boto3 x `--endpoint-url` / AWS_ENDPOINT_URL_SSO[_OIDC]), and headless
Chromium for the browser tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from support import (
    ENDPOINT_MODES,
    Clients,
    Emulator,
    Sandbox,
    scrubbed,
    apply_env,
    make_sandbox,
)


@pytest.fixture(autouse=True)
def _scrubbed_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever sees the developer's AWS_* variables, proxies or ~/.aws: even tests that build
    their own boto3 clients get an empty HOME and config."""
    home = tmp_path / "scrubbed-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not scrubbed(k)}
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "no-credentials"), AWS_EC2_METADATA_DISABLED="true")
    apply_env(monkeypatch, env)


@pytest.fixture
def boto3_client() -> Callable[[str, str], Any]:
    """boto3_client(service, url): a plain boto3 client with an explicit endpoint and no retries."""
    return _boto3_client


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """When a test fails, attach each of its emulators' command line and stderr to the report."""
    report = yield
    if report.when == "call" and report.failed:
        for emu in getattr(item, "emulators", []):
            report.sections.append((f"sso-emulator {emu.url} stderr", f"$ {' '.join(emu.args)}\n{emu.stderr_text()[-6000:]}"))
    return report


@pytest.fixture
def emulator_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Emulator]]:
    """start(*extra_flags, control=True) -> a running emulator; every one is stopped on teardown."""
    started: list[Emulator] = []
    request.node.emulators = started

    def start(*extra: str, control: bool = True) -> Emulator:
        args = ["--port", "0", *(["--enable-control"] if control else []), *extra]
        emu = Emulator(args, tmp_path)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def emu(request: pytest.FixtureRequest, emulator_factory: Callable[..., Emulator]) -> Emulator:
    """The test's emulator: built-in directory, default settings plus the flags of the test's
    `@pytest.mark.emulator_args(...)` marker, if any."""
    marker = request.node.get_closest_marker("emulator_args")
    return emulator_factory(*(marker.args if marker else ()))


@pytest.fixture
def sandbox(tmp_path: Path, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Temp HOME + config; AWS_* and proxy variables scrubbed; endpoints point at `emu`."""
    box = make_sandbox(tmp_path, emu.url)
    apply_env(monkeypatch, box.env)
    # botocore resolves its cache directories from ~ once, at import time, so a new HOME alone does
    # not move them: point both SSO token-cache directories into the sandbox too.
    import botocore.credentials
    import botocore.tokens

    sso_cache = str(box.token_cache)
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache)
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache)
    return box


@pytest.fixture(params=ENDPOINT_MODES)
def clients(request: pytest.FixtureRequest, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Clients:
    """The real clients, routed to the emulator by `--endpoint-url` or by AWS_ENDPOINT_URL_SSO[_OIDC]."""
    return Clients(sandbox, request.param, monkeypatch)


def _boto3_client(service: str, url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session(region_name="us-east-1").client(
        service,
        endpoint_url=url,
        config=Config(connect_timeout=5, read_timeout=20, retries={"mode": "standard", "total_max_attempts": 1}),
    )


@pytest.fixture
def oidc(sandbox: Sandbox, emu: Emulator) -> Any:
    """A plain boto3 sso-oidc client for setup steps (explicit endpoint, no retries)."""
    return _boto3_client("sso-oidc", emu.url)


@pytest.fixture
def portal(sandbox: Sandbox, emu: Emulator) -> Any:
    """A plain boto3 sso (portal) client for setup steps (explicit endpoint, no retries)."""
    return _boto3_client("sso", emu.url)


# --------------------------------------------------------------------------------------------------
# Browser


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where browser tests save screenshots: $INTEROP_SCREENSHOT_DIR if set, else the test's tmp dir."""
    d = Path(os.environ.get("INTEROP_SCREENSHOT_DIR") or tmp_path / "screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture
def browser(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real headless Chromium (Debian's /usr/bin/chromium via /usr/bin/chromedriver), fresh profile."""
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(exe):
            pytest.fail(f"{exe} is missing: run scripts/setup-test-deps (installs chromium chromium-driver)")
    # Selenium must never try to download a browser or driver (selenium-manager); no network here.
    monkeypatch.setenv("SE_OFFLINE", "true")
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1100,900",
        "--no-proxy-server",
    ):
        options.add_argument(flag)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
