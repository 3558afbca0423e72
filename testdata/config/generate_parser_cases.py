#!/usr/bin/env python3
"""Regenerates parser-cases.json, using botocore itself as the oracle.

Each case below gives the text of ~/.aws/config and ~/.aws/credentials. For cases that parse,
the expected profiles / sso_sessions / services are computed by botocore exactly as
`Session.full_config` builds them (`configloader.load_config` on the config file, then the
credentials file's `raw_config_parse` sections merged into the profiles). For cases that must
fail, the case gives our full error message by hand, and this script checks that botocore fails
too, on the same line where configparser reports one.

Run (needs `pip install botocore`; cargo test does not need Python):

    python3 testdata/config/generate_parser_cases.py

The Rust side is crates/sso-config/tests/parser_cases.rs.
"""

import configparser
import io
import json
import os
import sys
import tempfile

import botocore
import botocore.configloader as configloader
import botocore.exceptions as bexc

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG_PATH = "/h/.aws/config"
CREDENTIALS_PATH = "/h/.aws/credentials"


def P(message_tail, file="config"):
    path = CONFIG_PATH if file == "config" else CREDENTIALS_PATH
    return f"Unable to parse config file: {path} ({message_tail})"


CASES = [
    # --- basics -------------------------------------------------------------------------
    dict(name="empty files", config="", credentials=""),
    dict(name="whitespace and comments only", config="\n  \n# c\n; d\n   # e\n"),
    dict(
        name="default and named profiles",
        config="[default]\nregion = us-east-1\noutput = json\n\n[profile dev]\nregion = eu-west-1\n",
    ),
    dict(name="empty section is a profile without keys", config="[profile empty]\n[default]\n"),
    # --- values -------------------------------------------------------------------------
    dict(
        name="inline hash and semicolon are part of the value",
        config="[default]\nregion = us-east-1 # prod\noutput = json ; x\ncli_pager = less #\n",
    ),
    dict(
        name="full-line comments anywhere, indented ones too",
        config="# top\n[default]\n# a\n; b\nregion = us-east-1\n    # indented comment\noutput = json\n",
    ),
    dict(
        name="colon delimiter and first delimiter wins",
        config="[default]\nregion: us-east-1\na: b=c\nd = e:f\nurl = https://x.example:443/p?q=1\n",
    ),
    dict(
        name="whitespace around delimiters and tabs",
        config="[default]\n\tregion\t=\tus-east-1\t\noutput=json\nx   :   y  \n",
    ),
    dict(name="empty values", config="[default]\nregion =\noutput:\nx=\n"),
    dict(
        name="key names lower-cased, section names keep case",
        config="[profile Dev]\nREGION = eu-west-1\nSso_Start_URL = https://a\n[profile dev]\nregion = us-east-1\n",
    ),
    dict(name="key with inner spaces", config="[default]\nsso start url = x\n"),
    dict(
        name="unicode key lower-cased and unicode whitespace stripped",
        config="[default]\nR\u00c9GION = \u00a0eu-west-1\u00a0\n",
    ),
    # --- continuation lines ---------------------------------------------------------------
    dict(
        name="continuation lines join with newline",
        config="[default]\nregion = us-east-1\n  more\n\tand more\noutput = json\n",
    ),
    dict(
        name="blank line inside a continued value",
        config="[default]\na = 1\n\n  b\nc = 2\n\n\n",
    ),
    dict(
        name="comment lines inside a continued value are dropped",
        config="[default]\na = 1\n  # not part\n  b\n",
    ),
    dict(
        name="value with an indented key=value line is text when the first line is not empty",
        config="[default]\ns3 = x\n  addressing_style = path\n",
    ),
    dict(
        name="indented header right after an option is a continuation",
        config="[default]\nregion = us-east-1\n  [profile dev]\noutput = json\n",
    ),
    dict(
        name="indented options then less indented ones",
        config="[default]\n    region = us-east-1\n    output = json\nx = 1\n      y\n",
    ),
    # --- nested sub-sections -------------------------------------------------------------
    dict(
        name="services section with sso and sso_oidc sub-sections",
        config=(
            "[profile dev]\nservices = local\n\n"
            "[services local]\nsso =\n  endpoint_url = http://127.0.0.1:4000\n"
            "sso_oidc =\n  endpoint_url = http://127.0.0.1:4001\n  Other_Key = Keeps Case\n"
        ),
    ),
    dict(
        name="nested sub-section with blank and comment lines",
        config="[services s]\nsso =\n\n  # c\n  endpoint_url = http://a\n\n  x=y=z\n",
    ),
    dict(
        name="nested duplicate key keeps the last value",
        config="[services s]\nsso =\n  endpoint_url = http://a\n  endpoint_url = http://b\n",
    ),
    dict(
        name="nested in a profile (s3 style)",
        config="[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\nregion = x\n",
    ),
    dict(
        name="empty value followed only by blank lines stays text",
        config="[default]\ns3 =\n\n\nregion = x\n",
    ),
    dict(
        name="nested line without equals is an error",
        config="[services s]\nsso =\n  endpoint_url: http://a\n",
        error=P("line 3: `endpoint_url: http://a` inside the `sso =` sub-section is not a `key = value` line"),
    ),
    dict(
        name="services value that is plain text",
        config="[services s]\nsso = http://a\n",
    ),
    # --- section classification ------------------------------------------------------------
    dict(
        name="quoted profile names",
        config="[profile \"my p\"]\na = 1\n[profile 'x y']\nb = 2\n[profile a\\ b]\nc = 3\n",
    ),
    dict(
        name="sections that do not split into exactly two words are ignored",
        config="[profile a b]\na = 1\n[profile]\nb = 2\n[profile 'x]\nc = 3\n[sso-session]\nd = 4\n[services]\ne = 5\n[profile ok]\nf = 6\n",
    ),
    dict(
        name="prefix match quirk: profiles and profile-x count as profile",
        config="[profiles x]\na = 1\n[profilefoo bar]\nb = 2\n[profilex]\nc = 3\n",
    ),
    dict(
        name="other sections are ignored",
        config="[preview]\ncloudfront = true\n[plugins]\nx = y\n[Default]\nz = 1\n[ default ]\nw = 2\n",
    ),
    dict(
        name="default then profile default: later wins",
        config="[default]\nregion = a\nonly_default = 1\n[profile default]\nregion = b\n",
    ),
    dict(
        name="profile default then default: later wins",
        config="[profile default]\nregion = b\n[profile dev]\nx = 1\n[default]\nregion = a\n",
    ),
    dict(
        name="two spellings of one profile: later replaces earlier in place",
        config="[profile a]\nx = 1\n[profile b]\ny = 2\n[profile  a]\nz = 3\n",
    ),
    dict(
        name="trailing text after the closing bracket is ignored",
        config="[profile a] # comment\nx = 1\n[profile b] # [x]\ny = 2\n",
    ),
    dict(
        name="sso-session sections",
        config=(
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\n"
            "[sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n"
            "sso_registration_scopes = sso:account:access, ,x\n"
            "[sso-session \"two words\"]\nsso_region = eu-west-1\n"
        ),
    ),
    dict(
        name="DEFAULT section values are inherited by every section",
        config="[DEFAULT]\nregion = us-east-1\n[profile a]\noutput = json\n[profile b]\nregion = eu-west-1\n[sso-session s]\nx = 1\n",
    ),
    dict(
        name="DEFAULT may be reopened",
        config="[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n[default]\nc = 3\n",
    ),
    dict(name="DEFAULT alone yields nothing", config="[DEFAULT]\nregion = x\n"),
    # --- credentials merge ---------------------------------------------------------------
    dict(
        name="credentials profiles merge into config profiles",
        config="[default]\nregion = us-east-1\naws_access_key_id = from-config\n[profile dev]\nregion = eu-west-1\n",
        credentials="[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[other]\nregion = ap-south-1\n[profile dev]\nx = 1\n",
    ),
    dict(
        name="sso keys in the credentials file are honoured",
        config="[profile dev]\nregion = us-east-1\n",
        credentials="[dev]\nsso_account_id = 1\nsso_role_name = R\n",
    ),
    dict(
        name="credentials DEFAULT section applies to credentials sections",
        credentials="[DEFAULT]\nregion = x\n[a]\nb = 1\n",
    ),
    # --- line endings and encodings -------------------------------------------------------
    dict(
        name="CRLF line endings",
        config="[default]\r\nregion = us-east-1\r\n  cont\r\n[profile x]\r\na = b\r\n",
    ),
    dict(name="lone CR line endings", config="[default]\rregion = us-east-1\routput = json\r"),
    dict(name="no final newline", config="[default]\nregion = us-east-1"),
    dict(
        name="form feed inside a nested value splits lines",
        config="[services s]\nsso =\n  endpoint_url = http://a\x0cx = y\n",
    ),
    # --- errors ---------------------------------------------------------------------------
    dict(
        name="byte order mark is rejected",
        config="\ufeff[default]\nregion = us-east-1\n",
        error=P("line 1: the file starts with a UTF-8 byte order mark, which the AWS CLI rejects; save it as UTF-8 without BOM"),
    ),
    dict(
        name="option before any section",
        config="# header\nregion = us-east-1\n[default]\n",
        error=P("line 2: `region = us-east-1` comes before any [section] header; add a header such as [default] above it"),
    ),
    dict(
        name="duplicate key",
        config="[default]\nregion = a\n\n[profile dev]\nregion = a\noutput = json\nregion = b\n",
        error=P("line 7: duplicate key `region` in section [profile dev]; remove one of them"),
    ),
    dict(
        name="duplicate key differing only in case",
        config="[default]\nRegion = a\nREGION = b\n",
        error=P("line 3: duplicate key `region` in section [default]; remove one of them"),
    ),
    dict(
        name="duplicate key in DEFAULT across reopened sections",
        config="[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n",
        error=P("line 4: duplicate key `a` in section [DEFAULT]; remove one of them"),
    ),
    dict(
        name="duplicate section",
        config="[default]\na = 1\n[profile dev]\nb = 2\n[default]\nc = 3\n",
        error=P("line 5: section [default] already appeared on line 1; merge the two sections"),
    ),
    dict(
        name="line without a delimiter",
        config="[default]\nregion us-east-1\n",
        error=P("line 2: `region us-east-1` is not a [section] header, a comment or a `key = value` line"),
    ),
    dict(
        name="empty header is not a header",
        config="[default]\n[]\n",
        error=P("line 2: `[]` is not a [section] header, a comment or a `key = value` line"),
    ),
    dict(
        name="empty key",
        config="[default]\n= value\n",
        error=P("line 2: `= value` has no key before the delimiter"),
    ),
    dict(
        name="malformed lines are reported after fatal ones, as configparser does",
        config="[default]\nbad line\n[default]\n",
        error=P("line 3: section [default] already appeared on line 1; merge the two sections"),
    ),
    dict(
        name="first malformed line wins among malformed lines",
        config="[default]\nfirst bad\nsecond bad\n",
        error=P("line 2: `first bad` is not a [section] header, a comment or a `key = value` line"),
    ),
    dict(
        name="credentials file errors name the credentials file",
        config="[default]\nregion = x\n",
        credentials="[default]\naws_access_key_id = a\naws_access_key_id = b\n",
        error=P("line 3: duplicate key `aws_access_key_id` in section [default]; remove one of them", "credentials"),
    ),
]


def botocore_full_config(config_text, credentials_text):
    """Session.full_config, with the two texts as files."""
    with tempfile.TemporaryDirectory() as tmp:
        config_file = os.path.join(tmp, "config")
        credentials_file = os.path.join(tmp, "credentials")
        # newline="" so CRLF and lone CR reach the file unchanged.
        with open(config_file, "w", encoding="utf-8", newline="") as f:
            f.write(config_text)
        with open(credentials_file, "w", encoding="utf-8", newline="") as f:
            f.write(credentials_text)
        try:
            full = configloader.load_config(config_file)
        except bexc.ConfigNotFound:
            full = {"profiles": {}}
        try:
            for name, values in configloader.raw_config_parse(credentials_file).items():
                if name not in full["profiles"]:
                    full["profiles"][name] = values
                else:
                    full["profiles"][name].update(values)
        except bexc.ConfigNotFound:
            pass
        return full


def configparser_line(text):
    """The line configparser itself reports for a failing text, if any."""
    cp = configparser.RawConfigParser()
    try:
        # newline=None: universal newlines, as when botocore reads the file (read_string
        # would not treat a lone CR as a line end).
        cp.read_file(io.StringIO(text, newline=None))
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError,
            configparser.MissingSectionHeaderError) as e:
        # MissingSectionHeaderError is a ParsingError subclass: test it first.
        return e.lineno
    except configparser.ParsingError as e:
        return e.errors[0][0]
    return None


def main():
    out = []
    failures = []
    for case in CASES:
        config = case.get("config", "")
        credentials = case.get("credentials", "")
        entry = {"name": case["name"], "config": config, "credentials": credentials}
        try:
            full = botocore_full_config(config, credentials)
            oracle_error = None
        except bexc.ConfigParseError as e:
            full = None
            oracle_error = e
        if "error" in case:
            if oracle_error is None:
                failures.append(f"{case['name']}: botocore parsed it, we expect an error")
                continue
            # The file that failed: the credentials file is read second.
            failing_text = credentials if CREDENTIALS_PATH in case["error"] else config
            line = configparser_line(failing_text)
            if line is not None and f"(line {line}:" not in case["error"]:
                failures.append(f"{case['name']}: configparser reports line {line}")
            entry["error"] = case["error"]
        else:
            if oracle_error is not None:
                failures.append(f"{case['name']}: botocore failed: {oracle_error}")
                continue
            entry["expected"] = {
                "profiles": full.get("profiles", {}),
                "sso_sessions": full.get("sso_sessions", {}),
                "services": full.get("services", {}),
            }
        out.append(entry)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)
    document = {
        "_comment": (
            "Generated by generate_parser_cases.py from botocore "
            f"{botocore.__version__} (Python {sys.version.split()[0]}). Expected values of "
            "parsing cases are botocore's own output; error messages are ours, checked to fail "
            "in botocore too. Nested sub-sections are JSON objects; key order is significant."
        ),
        "config_path": CONFIG_PATH,
        "credentials_path": CREDENTIALS_PATH,
        "cases": out,
    }
    with open(os.path.join(HERE, "parser-cases.json"), "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out)} cases")


if __name__ == "__main__":
    main()
