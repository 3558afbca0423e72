"""Issue #5: aws-sso's list and credential commands print exactly what the AWS CLI prints.

aws-sso and the pinned AWS CLI v1 (1.45.11; v1 and v2 share the formatters for these commands,
cli-behavior §6.3) run against the same emulator with the same `--access-token`, `--region
us-east-1 --endpoint-url URL`, and the same environment, over a matrix of commands x `--output
json|text|table` x `--query` shapes (multiselect hash with unsorted keys, scalar, list, null,
empty, `length(...)`) x paging options (`--page-size`, `--max-items` mid-page and on a page
boundary, `--starting-token` handed from one CLI to the other in both directions,
`--no-paginate`, `--max-results`), on accounts with non-ASCII names and long e-mail addresses, a
synthetic org of many pages, empty lists, and tables wider than the terminal (`COLUMNS=80`/`40`).
stdout must be byte-identical. Only values that are random per call are normalised first: page
cursors inside `NextToken` (whose decoded structure must still match, `boto_truncate_amount`
included) and role credentials (same-length placeholders, so table layout is still compared).

Error cases (§6.5): aws-sso's CLI v2 format is asserted exactly; v1 prints the same code and
message in its own format, which must be contained in ours. Retries (§6.6): throttling and 500s
until retries are exhausted, and a faulty, throttled org that still lists completely.
YAML (v2 only): checked against §6.3's rules and PyYAML's rendering of the CLI v1 JSON.

The matrix emulators are started once per module; every test only reads from them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from support import (
    AWS_CLI,
    AWS_SSO_BIN,
    BASE_CONFIG,
    DEVICE_GRANT,
    REG_DEVICE,
    START_URL,
    Emulator,
    apply_env,
    scrubbed,
)

BUILTIN = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"]
SYNTHETIC_COUNT = 45
V1_TIMEOUT = 60


# --------------------------------------------------------------------------------------------------
# The organisations (module-scoped emulators) and the two CLIs


@dataclass
class Org:
    emu: Emulator
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.emu.url

    def argv(self, args: list[str], user: str) -> list[str]:
        token = ["--access-token", self.tokens[user]] if user else []
        return [*args, *token, "--region", "us-east-1", "--endpoint-url", self.url]

    def v1(self, args: list[str], user: str = "demo", env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(AWS_CLI), "sso", *self.argv(args, user)],
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=V1_TIMEOUT,
        )

    def ours(self, args: list[str], user: str = "demo", env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(AWS_SSO_BIN), *self.argv(args, user)],
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=V1_TIMEOUT,
        )


def client_env(home: Path) -> dict[str, str]:
    """The one environment both CLIs get: a throwaway HOME and config, no AWS_* or proxy variables,
    no endpoint variables (the endpoint comes from --endpoint-url), UTF-8, 80 columns, no pager."""
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    config = home / ".aws" / "config"
    config.write_text(BASE_CONFIG)
    env = {k: v for k, v in os.environ.items() if not scrubbed(k) and k not in ("COLUMNS", "LINES", "PAGER")}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
        NO_PROXY="*",
        no_proxy="*",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
        COLUMNS="80",
    )
    return env


def approve_token(emu: Emulator, user: str) -> str:
    """A refreshable device-flow access token for `user`, through boto3 (retrying, so a faulty
    emulator still hands one out) and the control route that approves the code."""
    import boto3
    from botocore.config import Config

    oidc = boto3.session.Session(region_name="us-east-1").client(
        "sso-oidc", endpoint_url=emu.url, config=Config(retries={"mode": "standard", "total_max_attempts": 10})
    )
    reg = oidc.register_client(**REG_DEVICE)
    dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"], user)
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    return tok["accessToken"]


def start_org(tmp: Path, *flags: str, users: tuple[str, ...] = ("demo",)) -> Org:
    tmp.mkdir(parents=True, exist_ok=True)
    emu = Emulator(["--port", "0", "--enable-control", *flags], tmp)
    try:
        env = client_env(tmp / "home")
        with pytest.MonkeyPatch.context() as mp:
            # boto3 runs in-process for the token: it must not see the developer's AWS settings.
            apply_env(mp, env)
            tokens = {user: approve_token(emu, user) for user in users}
    except BaseException:
        emu.stop()  # no fixture owns it yet
        raise
    return Org(emu=emu, env=env, tokens=tokens)


@pytest.fixture(scope="module")
def builtin(tmp_path_factory):
    """Built-in directory: demo's six accounts (one non-ASCII name, one 69-character e-mail)."""
    org = start_org(tmp_path_factory.mktemp("builtin"), users=("demo", "alice"))
    yield org
    org.emu.stop()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Built-in directory plus 45 synthetic accounts: 51 accounts, three pages of the default 20."""
    org = start_org(tmp_path_factory.mktemp("synthetic"), "--synthetic-accounts", str(SYNTHETIC_COUNT), "--synthetic-roles", "6")
    yield org
    org.emu.stop()


EMPTY_DIRECTORY = """
start_url = "https://d-0000000000.awsapps.com/start"
region = "us-east-1"

[[users]]
name = "demo"
password = "demo-password"

[[users]]
name = "nobody"
password = "nobody-password"

[[accounts]]
id = "111111111111"
name = "dev"
email = "dev@example.com"

[[accounts]]
id = "777777777777"
name = "no-roles"
email = "no-roles@example.com"

[[assignments]]
user = "demo"
account = "111111111111"
roles = ["ReadOnly"]

[[assignments]]
user = "demo"
account = "777777777777"
roles = []
"""


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    """A directory with a user who has no accounts and an account with no roles."""
    tmp = tmp_path_factory.mktemp("empty")
    (tmp / "directory.toml").write_text(EMPTY_DIRECTORY)
    org = start_org(tmp, "--directory", str(tmp / "directory.toml"), users=("demo", "nobody"))
    yield org
    org.emu.stop()


@pytest.fixture(autouse=True)
def _attach_module_emulators(request):
    """The conftest failure hook prints `item.emulators`' stderr: include the shared ones."""
    request.node.emulators = [request.getfixturevalue(name).emu for name in ("builtin", "synthetic", "empty") if name in request.fixturenames]


# --------------------------------------------------------------------------------------------------
# Normalising per-call random values


NEXT_TOKEN = re.compile(r"eyJ[A-Za-z0-9+/]+={0,2}")
CURSOR = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def same_length(label: str, length: int) -> str:
    """`label` padded with dots to `length`, so tables keep their widths."""
    return label + "." * (length - len(label)) if len(label) < length else label


def normalise_next_tokens(text: str) -> str:
    """Each `NextToken` (base64 of `{"nextToken": cursor[, "boto_truncate_amount": K]}`) becomes
    a placeholder that keeps its length and everything but the random cursor."""

    def repl(m: re.Match) -> str:
        raw = m.group(0)
        try:
            decoded = json.loads(base64.b64decode(raw))
        except ValueError:
            return raw
        # The cursor is null when the first page was cut short (it was requested without one).
        cursor = decoded.get("nextToken") if isinstance(decoded, dict) else None
        assert isinstance(decoded, dict) and (cursor is None or CURSOR.fullmatch(cursor)), decoded
        rest = {k: (v if k != "nextToken" or v is None else "<cursor>") for k, v in decoded.items()}
        return same_length(f"<NextToken {json.dumps(rest)}>", len(raw))

    return NEXT_TOKEN.sub(repl, text)


def normalise_listing(text: str) -> str:
    """List output: NextTokens, then raw cursors (`--no-paginate`'s `nextToken`)."""
    return CURSOR.sub(lambda m: same_length("<cursor>", 43), normalise_next_tokens(text))


KEY_ID = re.compile(r"ASIA[A-Z2-7]{16}")
SESSION_TOKEN = re.compile(r"IQoJb3JpZ2luX2Vj[A-Za-z0-9+/]{400}")
SECRET = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])")
EXPIRATION = re.compile(r"(?<![0-9])1[0-9]{12}(?![0-9])")


def normalise_credentials(text: str) -> str:
    """Role credentials differ per call but not in length: same-length placeholders."""
    text = SESSION_TOKEN.sub(lambda m: same_length("<sessionToken>", len(m.group(0))), text)
    text = KEY_ID.sub("ASIA" + "K" * 16, text)
    text = SECRET.sub(same_length("<secret>", 40), text)
    return EXPIRATION.sub("1" + "0" * 12, text)


# --------------------------------------------------------------------------------------------------
# The comparison


def show(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout.decode(errors='replace')}\n--- stderr ---\n{proc.stderr.decode(errors='replace')}"


def assert_parity(org: Org, args: list[str], *, user: str = "demo", env: dict | None = None, normalise: Callable[[str], str] = normalise_listing) -> str:
    """Runs both CLIs; both must succeed with identical (normalised) stdout and identical stderr.
    Returns our raw stdout."""
    v1 = org.v1(args, user, env)
    ours = org.ours(args, user, env)
    assert v1.returncode == 0, f"AWS CLI v1 failed (test setup):\n{show(v1)}"
    assert ours.returncode == 0, f"aws-sso failed:\n{show(ours)}"
    ours_out, v1_out = ours.stdout.decode(), v1.stdout.decode()
    assert normalise(ours_out) == normalise(v1_out), f"stdout differs\n--- aws-sso ---\n{ours_out}\n--- aws v1 ---\n{v1_out}"
    assert ours.stderr == v1.stderr
    return ours_out


FORMATS = ["json", "text", "table"]

QUERIES = {
    "none": None,
    "multiselect-hash-unsorted": "accountList[].{Zname: accountName, Aid: accountId, mail: emailAddress}",
    "scalar": "accountList[2].accountName",
    "list": "accountList[].accountId",
    "length": "length(accountList)",
    "null": "accountList[0].nosuchkey",
    "empty-filter": "accountList[?accountName=='nope']",
    "multiselect-list": "accountList[].[accountName, accountId]",
    "sorted-projection": "sort_by(accountList, &emailAddress)[-2:].{mail: emailAddress, id: accountId}",
}

PAGING = {
    "auto": [],
    "page-size-2": ["--page-size", "2"],
    "page-size-4": ["--page-size", "4"],
    "max-items-mid-page": ["--max-items", "3", "--page-size", "2"],
    "max-items-boundary": ["--max-items", "4", "--page-size", "2"],
    "max-items-default-page": ["--max-items", "5"],
    "max-items-all": ["--max-items", "6", "--page-size", "3"],
    "no-paginate": ["--no-paginate"],
    "max-results": ["--max-results", "4"],
}


def query_args(query: str | None) -> list[str]:
    return ["--query", query] if query else []


@pytest.mark.parametrize("query", QUERIES, ids=list(QUERIES))
@pytest.mark.parametrize("output", FORMATS)
def test_list_accounts_queries(builtin, output, query):
    """Every --query shape, over two-item pages (text applies the query page by page)."""
    assert_parity(builtin, ["list-accounts", "--output", output, "--page-size", "2", *query_args(QUERIES[query])])


@pytest.mark.parametrize("paging", PAGING, ids=list(PAGING))
@pytest.mark.parametrize("output", FORMATS)
def test_list_accounts_paging(builtin, output, paging):
    out = assert_parity(builtin, ["list-accounts", "--output", output, *PAGING[paging]])
    truncated = paging.startswith("max-items") and paging != "max-items-all"
    assert ("NextToken" in out or "NEXTTOKEN" in out) == truncated, out


QUERY_WITH_PAGING = [
    (output, paging, query)
    for output in FORMATS
    for paging in ("max-items-mid-page", "no-paginate")
    for query in ("multiselect-hash-unsorted", "length", "list")
    # text + a truncated listing + length(): an error in both CLIs, see the test below.
    if (output, paging, query) != ("text", "max-items-mid-page", "length")
]


@pytest.mark.parametrize(("output", "paging", "query"), QUERY_WITH_PAGING, ids=["-".join(c) for c in QUERY_WITH_PAGING])
def test_list_accounts_query_with_paging(builtin, output, paging, query):
    assert_parity(builtin, ["list-accounts", "--output", output, *PAGING[paging], "--query", QUERIES[query]])


LENGTH_OF_NEXT_TOKEN_ERROR = (
    "In function length(), invalid type for value: None, expected one of: ['string', 'array', 'object'], received: \"null\""
)


def test_text_query_fails_on_the_next_token_part_after_printing_the_pages(builtin):
    """Text output applies --query to each page as it is printed and then to
    `{"NextToken": {...}}`; `length(accountList)` of that is a JMESPath type error. Both CLIs
    fail with 255 on the last part — whose message is the same — but the AWS CLI has already
    printed the pages ("2", "1") by then."""
    args = ["list-accounts", "--output", "text", "--max-items", "3", "--page-size", "2", "--query", "length(accountList)"]
    v1 = builtin.v1(args)
    ours = builtin.ours(args)
    assert v1.stdout == b"2\n1\n" and v1.stderr.decode() == f"\n{LENGTH_OF_NEXT_TOKEN_ERROR}\n", show(v1)
    assert (ours.returncode, ours.stderr.decode()) == (255, f"\naws: [ERROR]: {LENGTH_OF_NEXT_TOKEN_ERROR}\n"), show(ours)


def test_text_query_prints_the_pages_before_the_next_token_part_fails(builtin):
    args = ["list-accounts", "--output", "text", "--max-items", "3", "--page-size", "2", "--query", "length(accountList)"]
    v1 = builtin.v1(args)
    ours = builtin.ours(args)
    assert v1.returncode == 255, show(v1)
    assert (ours.returncode, ours.stdout) == (255, v1.stdout), show(ours)


ROLE_PAGING = {
    "auto": [],
    "page-size-1": ["--page-size", "1"],
    "max-items-mid-page": ["--max-items", "2", "--page-size", "3"],
    "no-paginate": ["--no-paginate"],
}


@pytest.mark.parametrize("paging", ROLE_PAGING, ids=list(ROLE_PAGING))
@pytest.mark.parametrize("output", FORMATS)
def test_list_account_roles(builtin, output, paging):
    assert_parity(builtin, ["list-account-roles", "--account-id", "555555555555", "--output", output, *ROLE_PAGING[paging]])


@pytest.mark.parametrize("query", ["roleList[].roleName", "roleList[].{role: roleName, acct: accountId}", "length(roleList)"])
@pytest.mark.parametrize("output", FORMATS)
def test_list_account_roles_queries(builtin, output, query):
    assert_parity(builtin, ["list-account-roles", "--account-id", "111111111111", "--output", output, "--page-size", "1", "--query", query])


CREDENTIAL_QUERIES = {
    "none": None,
    "key-id": "roleCredentials.accessKeyId",
    "multiselect-hash-unsorted": "roleCredentials.{Expiration: expiration, AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey}",
    "keys": "keys(roleCredentials)",
}


@pytest.mark.parametrize("query", CREDENTIAL_QUERIES, ids=list(CREDENTIAL_QUERIES))
@pytest.mark.parametrize("output", FORMATS)
def test_get_role_credentials(builtin, output, query):
    args = ["get-role-credentials", "--account-id", "222222222222", "--role-name", "Billing", "--output", output]
    out = assert_parity(builtin, [*args, *query_args(CREDENTIAL_QUERIES[query])], normalise=normalise_credentials)
    if query == "none":
        assert normalise_credentials(out) != out, "no credentials were normalised: the placeholders are not being exercised"


SYNTHETIC_PAGING = {
    "auto": [],
    "page-size-7": ["--page-size", "7"],
    "max-items-mid-second-page": ["--max-items", "25"],
    "max-items-boundary": ["--max-items", "40", "--page-size", "20"],
}


@pytest.mark.parametrize("paging", SYNTHETIC_PAGING, ids=list(SYNTHETIC_PAGING))
@pytest.mark.parametrize("output", FORMATS)
def test_synthetic_org_many_pages(synthetic, output, paging):
    out = assert_parity(synthetic, ["list-accounts", "--output", output, *SYNTHETIC_PAGING[paging]])
    if output == "json" and paging == "auto":
        ids = [a["accountId"] for a in json.loads(out)["accountList"]]
        assert ids == BUILTIN + [str(500_000_000_000 + n) for n in range(1, SYNTHETIC_COUNT + 1)]


def test_synthetic_roles_past_the_standard_four(synthetic):
    out = assert_parity(synthetic, ["list-account-roles", "--account-id", "500000000007", "--output", "text", "--page-size", "4"])
    assert out.splitlines()[-1] == "ROLELIST\t500000000007\tSyntheticRole06"


EMPTY_CASES = {
    "no-accounts": ("nobody", ["list-accounts"]),
    "no-accounts-query": ("nobody", ["list-accounts", "--query", "accountList[].accountId"]),
    "no-accounts-no-paginate": ("nobody", ["list-accounts", "--no-paginate"]),
    "no-roles": ("demo", ["list-account-roles", "--account-id", "777777777777"]),
    "no-roles-query": ("demo", ["list-account-roles", "--account-id", "777777777777", "--query", "length(roleList)"]),
}


@pytest.mark.parametrize("case", EMPTY_CASES, ids=list(EMPTY_CASES))
@pytest.mark.parametrize("output", FORMATS)
def test_empty_lists(empty, output, case):
    user, args = EMPTY_CASES[case]
    assert_parity(empty, [*args, "--output", output], user=user)


@pytest.mark.parametrize("columns", ["80", "40"])
@pytest.mark.parametrize(
    "args",
    [
        ["list-accounts", "--output", "table"],
        ["list-accounts", "--output", "table", "--max-items", "3", "--query", "accountList[].{Name: accountName, Mail: emailAddress}"],
        ["list-account-roles", "--account-id", "555555555555", "--output", "table"],
    ],
    ids=["accounts", "accounts-next-token-query", "roles"],
)
def test_tables_against_terminal_width(builtin, args, columns):
    """Not a TTY: both CLIs size tables for 80 columns whatever COLUMNS says; tables wider than
    that (the long e-mail address) are drawn as the AWS CLI draws them."""
    assert_parity(builtin, args, env={"COLUMNS": columns})


@pytest.mark.parametrize("color", ["on", "off"])
def test_table_colour_forced_on_a_pipe(builtin, color):
    assert_parity(builtin, ["list-accounts", "--output", "table", "--color", color, "--page-size", "4"])


# A single-row section 52 columns wide: horizontal within 80 columns, vertical within 40.
SINGLE_ROW = ["list-accounts", "--output", "table", "--query", "accountList[0]"]


def test_single_row_table_is_not_converted_within_80_columns(builtin):
    out = assert_parity(builtin, SINGLE_ROW, env={"COLUMNS": "80"})
    assert "|   accountId  |  accountName  |   emailAddress    |" in out, out


def test_single_row_table_ignores_columns_when_not_a_terminal(builtin):
    assert_parity(builtin, SINGLE_ROW, env={"COLUMNS": "40"})


@pytest.mark.parametrize("columns", ["80", "40"])
def test_credentials_table_wider_than_the_terminal(builtin, columns):
    args = ["get-role-credentials", "--account-id", "111111111111", "--role-name", "ReadOnly", "--output", "table"]
    assert_parity(builtin, args, env={"COLUMNS": columns}, normalise=normalise_credentials)


# --------------------------------------------------------------------------------------------------
# On a terminal: the width comes from the terminal itself (both CLIs ask stdout's TTY)


def run_on_terminal(argv: list[str], env: dict[str, str], columns: int) -> tuple[int, bytes, bytes]:
    """Runs argv with stdout on a pseudo-terminal `columns` wide; returns (exit, stdout, stderr)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], V1_TIMEOUT)
            if not ready:
                raise AssertionError(f"no output from {argv[0]} on the terminal within {V1_TIMEOUT}s")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
        try:
            proc.wait(timeout=V1_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode, out, proc.stderr.read()


def assert_terminal_parity(org: Org, args: list[str], columns: int, normalise=normalise_listing) -> str:
    env = {k: v for k, v in org.env.items() if k != "COLUMNS"}
    v1 = run_on_terminal([str(AWS_CLI), "sso", *org.argv(args, "demo")], env, columns)
    ours = run_on_terminal([str(AWS_SSO_BIN), *org.argv(args, "demo")], env, columns)
    assert v1[0] == 0 and ours[0] == 0, (v1, ours)
    assert normalise(ours[1].decode()) == normalise(v1[1].decode()), f"--- aws-sso ---\n{ours[1]!r}\n--- aws v1 ---\n{v1[1]!r}"
    assert ours[2] == v1[2] == b""
    return ours[1].decode()


TERMINAL_CASES = {
    "single-row": SINGLE_ROW + ["--color", "off"],
    "accounts": ["list-accounts", "--output", "table", "--color", "off"],
    "json": ["list-accounts", "--output", "json"],
    "text": ["list-accounts", "--output", "text", "--page-size", "4"],
}


@pytest.mark.parametrize("columns", [40, 200])
@pytest.mark.parametrize("case", TERMINAL_CASES, ids=list(TERMINAL_CASES))
def test_on_a_terminal(builtin, case, columns):
    out = assert_terminal_parity(builtin, TERMINAL_CASES[case], columns)
    if case == "single-row":
        # 52 columns: converted to the vertical form only on the 40-column terminal.
        assert ("|  accountId    |  111111111111     |" in out) == (columns == 40), out


def test_credentials_table_on_a_terminal(builtin):
    args = ["get-role-credentials", "--account-id", "111111111111", "--role-name", "ReadOnly", "--output", "table", "--color", "off"]
    assert_terminal_parity(builtin, args, 500, normalise=normalise_credentials)


def test_coloured_table_on_a_terminal(builtin):
    assert_terminal_parity(builtin, ["list-accounts", "--output", "table", "--page-size", "4"], 120)


# --------------------------------------------------------------------------------------------------
# --starting-token handed between the two CLIs


def next_token_of(out: str) -> str:
    return json.loads(out)["NextToken"]


@pytest.mark.parametrize(
    ("first", "resume"),
    [
        (["--max-items", "3", "--page-size", "2"], ["--max-items", "2", "--page-size", "2"]),
        (["--max-items", "4", "--page-size", "2"], ["--page-size", "2"]),
        (["--max-items", "1"], ["--max-items", "4", "--page-size", "3"]),
    ],
    ids=["mid-page", "page-boundary", "default-page"],
)
@pytest.mark.parametrize("issuer", ["v1", "ours"])
def test_starting_token_round_trip(builtin, issuer, first, resume):
    """A NextToken printed by one CLI resumes identically in both, including a second hop."""
    producer = builtin.v1 if issuer == "v1" else builtin.ours
    head = producer(["list-accounts", "--output", "json", *first])
    assert head.returncode == 0, show(head)
    token = next_token_of(head.stdout.decode())
    decoded = json.loads(base64.b64decode(token))
    assert ("boto_truncate_amount" in decoded) == (first[1] == "3" or first[1] == "1"), decoded

    out = assert_parity(builtin, ["list-accounts", "--output", "json", "--starting-token", token, *resume])
    resumed = json.loads(out)
    seen = [a["accountId"] for a in json.loads(head.stdout)["accountList"]]
    seen += [a["accountId"] for a in resumed["accountList"]]
    assert seen == BUILTIN[: len(seen)], seen
    if "NextToken" in resumed:
        # Hop again, with the token the other CLI printed this time.
        tail = assert_parity(builtin, ["list-accounts", "--output", "text", "--starting-token", resumed["NextToken"]])
        rest = [ln.split("\t")[1] for ln in tail.splitlines()]
        assert seen + rest == BUILTIN, tail


def raw_cursor(org: Org, offset_page_size: int) -> str:
    """A bare emulator cursor (what `--no-paginate` prints as `nextToken`)."""
    out = org.ours(["list-accounts", "--no-paginate", "--max-results", str(offset_page_size), "--output", "json"])
    assert out.returncode == 0, show(out)
    return json.loads(out.stdout)["nextToken"]


@pytest.mark.parametrize(
    "form",
    ["verbatim-cursor", "legacy-index", "null-cursor-with-truncation"],
)
@pytest.mark.parametrize("output", ["json", "text"])
def test_starting_token_other_forms(builtin, form, output):
    """Tokens that are not base64 JSON are a legacy `token___index` or passed through verbatim;
    a null cursor with `boto_truncate_amount` restarts the first page (cli-behavior §6.2)."""
    if form == "null-cursor-with-truncation":
        token = base64.b64encode(json.dumps({"nextToken": None, "boto_truncate_amount": 2}).encode()).decode()
    else:
        token = raw_cursor(builtin, 2) + ("___1" if form == "legacy-index" else "")
    # `=` form: a bare cursor is random base64url and may start with `-`, which argparse would
    # take for an option (both CLIs accept `--starting-token=VALUE`).
    out = assert_parity(builtin, ["list-accounts", "--output", output, f"--starting-token={token}", "--max-items", "3"])
    first = out.split("\n", 1)[0]
    expected_first = {"verbatim-cursor": "333333333333", "legacy-index": "444444444444", "null-cursor-with-truncation": "333333333333"}[form]
    assert expected_first in (first if output == "text" else out.split('"accountId": "', 1)[1][:12]), out


@pytest.mark.parametrize("max_items", ["-1", "-2"])
def test_negative_max_items(builtin, max_items):
    assert_parity(builtin, ["list-accounts", "--output", "text", "--page-size", "4", "--max-items", max_items])


def test_non_positive_max_items_zero(builtin):
    out = assert_parity(builtin, ["list-accounts", "--output", "json", "--max-items", "0"])
    assert json.loads(out)["accountList"] == []


@pytest.mark.xfail(strict=True, reason="aws-sso bug: a JSON literal beyond float range (`1e400`) is a string, not Infinity")
def test_query_literal_beyond_float_range(builtin):
    assert_parity(builtin, ["list-accounts", "--output", "json", "--query", "[`1.5`, `1e400`]"])


def test_query_literals(builtin):
    for output in FORMATS:
        assert_parity(builtin, ["list-accounts", "--output", output, "--query", "{b: `true`, n: `null`, f: `1.5`, e: `2e3`, z: `-0.0`, s: accountList[0].accountId}"])


# --------------------------------------------------------------------------------------------------
# YAML (CLI v2 only): §6.3 rules, and PyYAML's rendering of the v1 JSON


def yaml_load(text: str):
    import yaml

    return yaml.safe_load(text)


def unfold(text: str) -> str:
    return re.sub(r": \n +(?=\S)", ": ", text)


def pyyaml(value) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=False, allow_unicode=True, sort_keys=True)


@pytest.mark.parametrize(
    "args",
    [
        ["list-accounts"],
        ["list-accounts", "--max-items", "3", "--page-size", "2"],
        ["list-accounts", "--query", "accountList[].{Zname: accountName, Aid: accountId}"],
        ["list-account-roles", "--account-id", "555555555555", "--page-size", "3"],
    ],
    ids=["accounts", "accounts-next-token", "query", "roles"],
)
def test_yaml_matches_the_json_data(builtin, args):
    v1 = builtin.v1([*args, "--output", "json"])
    ours = builtin.ours([*args, "--output", "yaml"])
    assert v1.returncode == 0 and ours.returncode == 0, show(ours)
    assert ours.stderr == b""
    expected = json.loads(v1.stdout)
    text = ours.stdout.decode()
    as_data = lambda value: normalise_listing(json.dumps(value, sort_keys=True))  # noqa: E731
    assert as_data(yaml_load(text)) == as_data(expected)
    # ruamel (CLI v2's dumper) moves a plain word longer than the rest of the line onto a line of
    # its own (`key: ` + newline + indent); PyYAML does not. Everything else is the same.
    assert unfold(normalise_listing(text)) == normalise_listing(pyyaml(expected)), text
    if "NextToken" in expected:
        assert text.startswith("NextToken: "), text  # sorted keys: NextToken before accountList
    if args[0] == "list-accounts" and "--query" not in args:
        assert "- accountId: '111111111111'\n" in text and "  accountName: Überwachung 監査\n" in text, text


def test_yaml_stream_keeps_raw_pages(builtin):
    ours = builtin.ours(["list-accounts", "--output", "yaml-stream", "--page-size", "4"])
    assert ours.returncode == 0, show(ours)
    import yaml

    pages = yaml.safe_load(ours.stdout)
    assert [sorted(p) for p in pages] == [["accountList", "nextToken"], ["accountList"]], pages
    assert [a["accountId"] for p in pages for a in p["accountList"]] == BUILTIN
    assert CURSOR.fullmatch(pages[0]["nextToken"])
    assert ours.stdout.decode().startswith("- accountList:\n  - accountId: '111111111111'\n"), ours.stdout


def test_output_off_prints_nothing_but_still_fetches(builtin):
    before = builtin.emu.counters().get("ListAccounts", 0)
    ours = builtin.ours(["list-accounts", "--output", "off", "--page-size", "2"])
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, b"", b"")
    assert builtin.emu.counters()["ListAccounts"] - before == 3


# --------------------------------------------------------------------------------------------------
# Errors (§6.5): our v2 format exactly; v1's code/message contained in it


def error_pair(org: Org, args: list[str], user: str = "demo", env: dict | None = None):
    v1 = org.v1(args, user, env)
    ours = org.ours(args, user, env)
    return v1, ours


def v1_message(v1: subprocess.CompletedProcess) -> str:
    """v1 prints the bare message (no `aws: [ERROR]: ` prefix) after a blank line and exits 255;
    v1 (only) prefixes pagination-argument errors with `Error during pagination: `."""
    assert v1.returncode == 255 and v1.stdout == b"", show(v1)
    text = v1.stderr.decode()
    assert text.startswith("\n") and text.endswith("\n"), text
    return text.strip("\n").removeprefix("Error during pagination: ")


BAD_QUERY_MESSAGE = 'Bad value for --query a[: Invalid jmespath expression: Incomplete expression:\n"a["\n   ^'

ERRORS = {
    "bad-query": (["list-accounts", "--query", "a["], 252, "An error occurred (ParamValidation): " + BAD_QUERY_MESSAGE),
    "page-size-0": (
        ["list-accounts", "--page-size", "0"],
        252,
        "An error occurred (ParamValidation): Parameter validation failed:\nInvalid value for parameter maxResults, value: 0, valid min value: 1",
    ),
    "no-paginate-with-max-items": (
        ["list-accounts", "--no-paginate", "--max-items", "2"],
        252,
        "An error occurred (ParamValidation): Cannot specify --no-paginate along with pagination arguments: --max-items",
    ),
    "starting-token-unknown-key": (
        ["list-accounts", "--starting-token", base64.b64encode(b'{"foo": "bar"}').decode()],
        252,
        'An error occurred (ParamValidation): Parameter validation failed:\nUnknown parameter in input: "foo", must be one of: nextToken, maxResults, accessToken',
    ),
    "forbidden-role": (
        ["get-role-credentials", "--account-id", "333333333333", "--role-name", "ReadOnly"],
        254,
        "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access",
    ),
    "forbidden-account-roles": (
        ["list-account-roles", "--account-id", "555555555555"],
        254,
        "An error occurred (ForbiddenException) when calling the ListAccountRoles operation: No access",
    ),
}


# The line of our own that follows the AWS CLI's (unchanged) line for a refusal.
HINTS = {
    "forbidden-role": "This session may not use role ReadOnly in account 333333333333; "
    "`aws-sso list-account-roles --account-id 333333333333` lists the roles it may use.\n",
    "forbidden-account-roles": "This session has no access to account 555555555555; "
    "`aws-sso list-accounts` lists the accounts it has.\n",
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_errors(builtin, case):
    args, code, message = ERRORS[case]
    user = "alice" if case.startswith("forbidden") else "demo"
    v1, ours = error_pair(builtin, [*args, "--output", "json"], user=user)
    expected = f"\naws: [ERROR]: {message}\n" + HINTS.get(case, "")
    assert (ours.returncode, ours.stdout.decode(), ours.stderr.decode()) == (code, "", expected)
    assert v1_message(v1) in ours.stderr.decode()


def test_unauthorized_token(builtin):
    builtin.tokens["forged"] = "aoaForgedToken0000000000000000000000000:Zm9yZ2Vk"
    v1, ours = error_pair(builtin, ["list-accounts"], user="forged")
    message = "An error occurred (UnauthorizedException) when calling the ListAccounts operation: Session token not found or invalid"
    assert (ours.returncode, ours.stdout, ours.stderr.decode()) == (254, b"", f"\naws: [ERROR]: {message}\n")
    assert v1_message(v1) == message


# -- retries (§6.6): each case gets its own emulator, since faults are emulator-wide


@pytest.fixture
def faulty(tmp_path, request):
    orgs = []

    def start(*flags: str, users: tuple[str, ...] = ("demo",)) -> Org:
        org = start_org(tmp_path / f"org{len(orgs)}", *flags, users=users)
        orgs.append(org)
        request.node.emulators = [o.emu for o in orgs]
        return org

    yield start
    for org in orgs:
        org.emu.stop()


STANDARD_RETRIES = {"AWS_RETRY_MODE": "standard"}


@pytest.mark.slow
def test_throttling_until_retries_are_exhausted(faulty):
    # One request's worth of burst, refilled once every 100 s: the first call takes it, the rest
    # are throttled whatever the retry delays turn out to be.
    org = faulty("--rate-limit", "portal=0.01:1")
    assert org.ours(["list-accounts"]).returncode == 0
    v1, ours = error_pair(org, ["list-accounts"], env=STANDARD_RETRIES)
    message = "An error occurred (TooManyRequestsException) when calling the ListAccounts operation (reached max retries: 2): Rate exceeded"
    assert (ours.returncode, ours.stdout, ours.stderr.decode()) == (254, b"", f"\naws: [ERROR]: {message}\n")
    assert v1_message(v1) == message
    # aws-sso's own default is standard mode too: the same three attempts without the variable.
    start = org.emu.counters()["ListAccounts"]
    default = org.ours(["list-accounts"])
    assert (default.returncode, default.stderr.decode()) == (254, f"\naws: [ERROR]: {message}\n")
    assert org.emu.counters()["ListAccounts"] - start == 3


@pytest.mark.slow
def test_internal_errors_until_retries_are_exhausted(faulty):
    # Every request fails, sign-in included, so no real token is needed: faults come before auth.
    org = faulty("--error-rate", "1.0", "--seed", "7", users=())
    org.tokens["demo"] = "aoaNoTokenCanBeIssued000000000000000000:Zm9yZ2Vk"
    v1, ours = error_pair(org, ["list-accounts"], env=STANDARD_RETRIES)
    message = "An error occurred (500) when calling the ListAccounts operation (reached max retries: 2): Internal failure"
    assert (ours.returncode, ours.stdout, ours.stderr.decode()) == (254, b"", f"\naws: [ERROR]: {message}\n")
    assert v1_message(v1) == message


@pytest.mark.slow
def test_retries_ride_out_faults_and_throttling(faulty):
    """20 requests/s with a burst of 2, one request in five a 500: listing 36 accounts one per page
    still returns every account, in order, with enough attempts."""
    org = faulty("--rate-limit", "portal=20:2", "--error-rate", "0.2", "--seed", "1", "--synthetic-accounts", "30")
    ours = org.ours(["list-accounts", "--page-size", "1", "--output", "json"], env={"AWS_MAX_ATTEMPTS": "10"})
    assert ours.returncode == 0, show(ours)
    ids = [a["accountId"] for a in json.loads(ours.stdout)["accountList"]]
    assert ids == BUILTIN + [str(500_000_000_000 + n) for n in range(1, 31)]
    logged = [r for r in org.emu.requests() if r["operation"] == "ListAccounts"]
    statuses = {r["status"] for r in logged}
    assert {200, 500} <= statuses and len(logged) > 36, statuses
