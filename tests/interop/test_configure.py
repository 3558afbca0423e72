"""`aws-sso configure sso` / `configure sso-session` on a real terminal (a pty rendered by pyte),
and `configure populate` checked with botocore, boto3 and AWS CLI v1 (issue 10).

The wizards must show AWS CLI v2's prompts, defaults and messages (cli-behavior §7) and write
exactly its sections. Keys are typed as a person would: answers and Enter, arrow keys in the
menus, a few characters to filter one account out of 2,000, Ctrl-C to give up (which leaves the
terminal and the config file as they were).
"""

from __future__ import annotations

import configparser
import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pyte
import pytest

from support import AWS_CLI, AWS_SSO_BIN, SSO_PROFILES, START_URL, run_aws_sso

COLUMNS, ROWS = 120, 60
UP, DOWN = "\x1b[A", "\x1b[B"


class Wizard:
    """aws-sso with stdin, stdout and stderr on one pty, the screen rendered by pyte."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.modes_before = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(
            [str(AWS_SSO_BIN), *args], env=env, stdin=self.slave, stdout=self.slave, stderr=self.slave, start_new_session=True
        )
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            self.raw += chunk
            self.stream.feed(chunk)

    def text(self) -> str:
        """The screen, trailing spaces and empty trailing lines removed."""
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip("\n")

    def expect(self, needle: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {needle!r}; the screen:\n{self.text()}"
            self._pump(min(remaining, 0.2))

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())
        time.sleep(0.15)
        self._pump(0.1)

    def answer(self, prompt: str, keys: str) -> None:
        """Waits for `prompt` at the end of the screen's text, then types `keys` and Enter."""
        deadline = time.monotonic() + 20
        while not self.text().endswith(prompt.rstrip()):
            assert time.monotonic() < deadline, f"never asked {prompt!r}; the screen:\n{self.text()}"
            self._pump(0.2)
        self.send(keys + "\r")

    def finish(self, timeout: float = 30) -> int:
        code = self.proc.wait(timeout=timeout)
        for _ in range(10):
            self._pump(0.05)
        return code

    def terminal_restored(self) -> bool:
        return termios.tcgetattr(self.slave) == self.modes_before

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def box(sandbox, emu, tmp_path: Path):
    # A browser that follows the sign-in to the redirect, like a person pressing Allow.
    follow = tmp_path / "follow"
    follow.write_text('#!/bin/sh\nexec curl -s -L -o /dev/null "$1"\n')
    follow.chmod(0o755)
    sandbox.env["BROWSER"] = str(follow)
    sandbox.emu = emu
    return sandbox


@pytest.fixture
def wizard():
    started: list[Wizard] = []

    def start(args: list[str], env: dict[str, str]) -> Wizard:
        w = Wizard(args, env)
        started.append(w)
        return w

    yield start
    for w in started:
        w.close()


def env_for(box, emu) -> dict[str, str]:
    """The sandbox's environment pointed at another emulator (one with its own directory)."""
    return dict(box.env, AWS_ENDPOINT_URL_SSO=emu.url, AWS_ENDPOINT_URL_SSO_OIDC=emu.url)


def read_config(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def cli_v1_get(env: dict[str, str], profile: str, key: str) -> str:
    out = subprocess.run([str(AWS_CLI), "configure", "get", key, "--profile", profile], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


pytestmark = pytest.mark.emulator_args("--auto-approve", "demo")


def test_a_new_session_with_menus_writes_what_the_aws_cli_writes(box, wizard):
    box.config_file.write_text("# mine\n[default]\nregion = us-west-2\n")
    w = wizard(["configure", "sso"], box.env)
    w.answer("SSO session name (Recommended):", "corp")
    w.answer("SSO start URL [None]:", START_URL)
    w.answer("SSO region [None]:", "us-east-1")
    w.answer("SSO registration scopes [sso:account:access]:", "")
    w.expect("There are 6 AWS accounts available to you.")
    # The menu, sorted by name case-insensitively, the first entry selected.
    w.expect("> billing, billing@example.com (666666666666)")
    w.send(DOWN + DOWN)
    w.expect("> prod, prod@example.com (222222222222)")
    w.send("\r")
    w.expect("There are 2 roles available to you.")
    w.send(UP + "\r")
    w.answer("Default client Region [us-west-2]:", "")
    w.answer("CLI default output format (json if not specified) [None]:", "json")
    w.answer("Profile name [ReadOnly-222222222222]:", "")
    assert w.finish() == 0, w.text()
    screen = w.text()
    # The transcript around the sign-in, line for line (the menus leave no trace).
    assert screen.startswith(
        "SSO session name (Recommended): corp\n"
        f"SSO start URL [None]: {START_URL}\n"
        "SSO region [None]: us-east-1\n"
        "SSO registration scopes [sso:account:access]:\n"
    ), screen
    assert screen.endswith(
        "There are 6 AWS accounts available to you.\n"
        "Using the account ID 222222222222\n"
        "There are 2 roles available to you.\n"
        'Using the role name "ReadOnly"\n'
        "Default client Region [us-west-2]:\n"
        "CLI default output format (json if not specified) [None]: json\n"
        "Profile name [ReadOnly-222222222222]:\n"
        "To use this profile, specify the profile name using --profile, as shown:\n"
        "\n"
        "aws sts get-caller-identity --profile ReadOnly-222222222222"
    ), screen
    assert box.config_file.read_text() == (
        "# mine\n[default]\nregion = us-west-2\n"
        "[profile ReadOnly-222222222222]\n"
        "sso_session = corp\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = ReadOnly\n"
        "region = us-west-2\n"
        "output = json\n"
        "[sso-session corp]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert w.terminal_restored()
    # Both real clients read what was written; boto3 gets credentials through it.
    assert cli_v1_get(box.env, "ReadOnly-222222222222", "sso_session") == "corp"
    import boto3

    creds = boto3.Session(profile_name="ReadOnly-222222222222").get_credentials()
    assert creds.access_key


def test_the_legacy_path_warns_and_writes_the_legacy_keys(box, wizard, emulator_factory, tmp_path: Path):
    directory = tmp_path / "one.toml"
    directory.write_text(
        f'start_url = "{START_URL}"\nregion = "us-east-1"\n'
        '[[users]]\nname = "demo"\npassword = "demo-password"\n'
        '[[accounts]]\nid = "123456789012"\nname = "only"\nemail = "only@example.com"\n'
        '[[assignments]]\nuser = "demo"\naccount = "123456789012"\nroles = ["Solo"]\n'
    )
    env = env_for(box, emulator_factory("--auto-approve", "demo", "--directory", str(directory)))
    box.config_file.write_text("")
    w = wizard(["configure", "sso", "--profile", "old"], env)
    w.answer("SSO session name (Recommended):", "")
    w.expect("WARNING: Configuring using legacy format (e.g. without an SSO session).")
    w.expect('Consider re-running "configure sso" command and providing a session name.')
    w.answer("SSO start URL [None]:", START_URL)
    w.answer("SSO region [None]:", "us-east-1")
    w.expect("The only AWS account available to you is: 123456789012")
    w.expect('The only role available to you is: Solo')
    w.answer("Default client Region [None]:", "")
    w.answer("CLI default output format (json if not specified) [None]:", "")
    assert w.finish() == 0, w.text()
    assert "Profile name" not in w.text()
    assert w.text().endswith("aws sts get-caller-identity --profile old"), w.text()
    assert box.config_file.read_text() == (
        "[profile old]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 123456789012\n"
        "sso_role_name = Solo\n"
    )
    assert b"\x1b[1mWARNING" in w.raw  # bold, as colorama's BRIGHT
    import botocore.session

    scoped = botocore.session.Session(profile="old").get_scoped_config()
    assert scoped["sso_start_url"] == START_URL and scoped["sso_role_name"] == "Solo"
    assert cli_v1_get(env, "old", "sso_account_id") == "123456789012"


def test_an_existing_session_asks_nothing_more_and_reuses_the_token(box, wizard, tmp_path: Path):
    box.write_config(SSO_PROFILES)
    assert run_aws_sso("login", "--profile", "dev", "--no-browser", "--use-device-code", env=box.env).returncode == 0
    before = box.emu.counters().get("CreateToken", 0)
    opened = tmp_path / "opened"
    recording = tmp_path / "recording"
    recording.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n')
    recording.chmod(0o755)
    env = dict(box.env, BROWSER=str(recording))
    w = wizard(["configure", "sso", "--profile", "dev"], env)
    w.answer("SSO session name [my-sso]:", "")
    w.expect("There are 6 AWS accounts available to you.")
    assert "SSO start URL" not in w.text()
    w.send("\r")
    w.expect("Using the account ID 666666666666")
    w.expect("The only role available to you is: Billing")
    w.answer("Default client Region [us-east-1]:", "")
    w.answer("CLI default output format (json if not specified) [None]:", "")
    assert w.finish() == 0, w.text()
    assert not opened.exists(), "no browser: the cached token was used"
    assert box.emu.counters().get("CreateToken", 0) == before
    config = read_config(box.config_file)
    assert config["profile dev"]["sso_account_id"] == "666666666666"
    assert config["profile dev"]["sso_role_name"] == "Billing"


def test_zero_accounts_is_the_aws_cli_error_and_writes_nothing(box, wizard, emulator_factory, tmp_path: Path):
    directory = tmp_path / "none.toml"
    directory.write_text(
        f'start_url = "{START_URL}"\nregion = "us-east-1"\n[[users]]\nname = "demo"\npassword = "demo-password"\n'
    )
    env = env_for(box, emulator_factory("--auto-approve", "demo", "--directory", str(directory)))
    box.write_config(SSO_PROFILES)
    before = box.config_file.read_bytes()
    w = wizard(["configure", "sso"], env)
    w.answer("SSO session name (Recommended):", "my-sso")
    assert w.finish() == 255, w.text()
    assert w.text().endswith("aws: [ERROR]: No AWS accounts are available to you."), w.text()
    assert box.config_file.read_bytes() == before


def test_typing_filters_one_account_out_of_two_thousand(box, wizard, emulator_factory):
    env = env_for(box, emulator_factory("--auto-approve", "demo", "--synthetic-accounts", "2000"))
    box.write_config(SSO_PROFILES)
    w = wizard(["configure", "sso", "--profile", "dev"], env)
    w.answer("SSO session name [my-sso]:", "")
    w.expect("There are 2006 AWS accounts available to you.", timeout=60)
    # Three keystrokes: the filter shows only synthetic-01234, already selected.
    w.send("012")
    w.send("34")
    w.expect("Filter: 01234  (1 of 2006; Esc clears)")
    w.expect("> synthetic-01234, synthetic-01234@example.com (500000001234)")
    w.send("\r")
    w.expect("Using the account ID 500000001234")
    w.expect("There are 2 roles available to you.")
    w.send("\r")
    w.answer("Default client Region [us-east-1]:", "")
    w.answer("CLI default output format (json if not specified) [None]:", "")
    assert w.finish() == 0, w.text()
    assert read_config(box.config_file)["profile dev"]["sso_account_id"] == "500000001234"


def test_validators_keep_the_question_open_with_the_aws_cli_message(box, wizard):
    box.write_config("")
    w = wizard(["configure", "sso-session"], box.env)
    w.answer("SSO session name:", "")
    w.expect("A value is required")
    w.send("corp\r")
    w.answer("SSO start URL [None]:", "not a url")
    w.expect("Not a valid Start URL")
    # Ctrl-U clears the line; then a valid URL.
    w.send("\x15" + START_URL + "\r")
    w.answer("SSO region [None]:", "us-east-1")
    w.answer("SSO registration scopes [sso:account:access]:", "a b")
    w.expect("Scope values must be separated by commas")
    w.send("\x15sso:account:access,custom:x\r")
    assert w.finish() == 0, w.text()
    assert w.text().endswith(
        "Completed configuring SSO session: corp\n"
        "Run the following to login and refresh access token for this session:\n"
        "\n"
        "aws sso login --sso-session corp"
    ), w.text()
    assert box.config_file.read_text().endswith(
        "[sso-session corp]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access,custom:x\n"
    )


def test_ctrl_c_leaves_the_terminal_and_the_file_as_they_were(box, wizard):
    box.write_config(SSO_PROFILES)
    before = box.config_file.read_bytes()
    w = wizard(["configure", "sso"], box.env)
    w.answer("SSO session name (Recommended):", "fresh")
    w.expect("SSO start URL [None]:")
    w.send("https://half-typed")
    w.send("\x03")
    assert w.finish() == 130, w.text()
    assert w.terminal_restored()
    assert box.config_file.read_bytes() == before


MESSY = """# settings of mine; hands off
[profile  spaced ]
region=eu-central-1   ; not a comment to botocore
  # an indented comment
[services local]
sso =
  endpoint_url = http://127.0.0.1:1
"""


def test_populate_profiles_work_with_boto3_and_aws_cli_v1(box):
    box.write_config(SSO_PROFILES + MESSY)
    original = box.config_file.read_text()
    assert run_aws_sso("login", "--profile", "dev", "--no-browser", "--use-device-code", env=box.env).returncode == 0
    out = run_aws_sso("configure", "populate", "--sso-session", "my-sso", "--region", "eu-west-1", env=box.env)
    assert out.returncode == 0, out.stderr
    roles = run_aws_sso("roles", "--sso-session", "my-sso", env=box.env)
    expected = {(r["accountId"], r["roleName"]) for r in __import__("json").loads(roles.stdout)["roles"]}
    config = read_config(box.config_file)
    generated = [s.removeprefix("profile ") for s in config.sections() if config.has_option(s, "sso_account_id") and s.startswith("profile ") and "." in s]
    assert {(config[f"profile {p}"]["sso_account_id"], config[f"profile {p}"]["sso_role_name"]) for p in generated} == expected
    import boto3

    for profile in generated:
        session = boto3.Session(profile_name=profile)
        creds = session.get_credentials().get_frozen_credentials()
        assert creds.access_key and creds.token, profile
        assert config[f"profile {profile}"]["region"] == "eu-west-1"
    assert box.config_file.read_text().startswith(original)
    # AWS CLI v1 parses the file and sees the same keys.
    assert cli_v1_get(box.env, generated[0], "sso_session") == "my-sso"
    # A second run leaves the file byte for byte.
    before = box.config_file.read_bytes()
    assert run_aws_sso("configure", "populate", "--sso-session", "my-sso", "--region", "eu-west-1", env=box.env).returncode == 0
    assert box.config_file.read_bytes() == before


def test_doctor_fix_gives_a_legacy_profile_a_session_that_botocore_and_boto3_use(box):
    legacy = (
        "# a legacy profile, as old AWS CLIs wrote it\n"
        "[profile old]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = ReadOnly\n"
    )
    box.config_file.write_text(legacy)
    out = run_aws_sso("doctor", "--fix", env=dict(box.env, DISPLAY=":0"))
    assert b"fixed: [profile old] now uses [sso-session d-0000000000]" in out.stdout, out.stdout
    assert box.config_file.read_text() == (
        "# a legacy profile, as old AWS CLIs wrote it\n"
        "[profile old]\n"
        "sso_session = d-0000000000\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = ReadOnly\n"
        "[sso-session d-0000000000]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert run_aws_sso("login", "--sso-session", "d-0000000000", "--no-browser", "--use-device-code", env=box.env).returncode == 0
    import boto3

    creds = boto3.Session(profile_name="old").get_credentials().get_frozen_credentials()
    assert creds.access_key and creds.token
    assert cli_v1_get(box.env, "old", "sso_session") == "d-0000000000"
