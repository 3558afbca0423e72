//! Cross-tool check against the real botocore, when it is installed: files we write are read
//! by botocore's `SSOTokenLoader` and `SSOCredentialFetcher`, a token botocore writes reads
//! and re-renders byte for byte here, and our cache-key JSON and hashes equal Python's for
//! awkward names. Without `python3` + `botocore` the test prints a SKIPPED note and returns.

use std::process::Command;

use serde_json::{Value, json};
use sso_cache::{Cache, RegistrationKey, RoleCredentials, RoleCredentialsKey, TokenKey};
use sso_core::Secret;
use tempfile::TempDir;

use crate::{START_URL, session_key, token, ts};

const SCRIPT: &str = r#"
import datetime, hashlib, json, sys
from dateutil.tz import tzutc
from botocore.utils import SSOTokenLoader, JSONFileCache
from botocore.tokens import _sso_json_dumps
from botocore.credentials import SSOCredentialFetcher

home, start_url, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sso = JSONFileCache(home + "/.aws/sso/cache", dumps_func=_sso_json_dumps)
loader = SSOTokenLoader(cache=sso)
out = {
    "session_token": loader(start_url, session_name="my-sso"),
    "legacy_token": loader(start_url),
}
fetcher = SSOCredentialFetcher(
    start_url, "us-east-1", "ReadOnly", "111111111111",
    client_creator=None, cache=JSONFileCache(home + "/.aws/cli/cache"), sso_session_name="my-sso",
)
out["role_key"] = fetcher._create_cache_key()
out["role_cached"] = fetcher._load_from_cache()

# What SSOTokenProvider writes after a refresh.
loader.save_token(start_url, {
    "startUrl": start_url, "region": "us-east-1", "accessToken": "py-at",
    "expiresAt": datetime.datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=tzutc()),
    "clientId": "py-cid", "clientSecret": "py-cs", "registrationExpiresAt": "2030-06-01T00:00:00Z",
    "refreshToken": "py-rt",
}, session_name="py-sso")

keys = []
for name in names:
    registration = json.dumps({"tool": "botocore", "startUrl": start_url, "region": "us-east-1",
                               "scopes": ["sso:account:access"], "session_name": name}, sort_keys=True)
    role = json.dumps({"accountId": "1", "roleName": name, "sessionName": name},
                      sort_keys=True, separators=(",", ":"))
    keys.append({
        "token": hashlib.sha1(name.encode("utf-8")).hexdigest(),
        "registration_json": registration,
        "registration": hashlib.sha1(registration.encode("utf-8")).hexdigest(),
        "role_json": role,
        "role": hashlib.sha1(role.encode("utf-8")).hexdigest(),
    })
out["keys"] = keys
print(json.dumps(out))
"#;

const AWKWARD_NAMES: [&str; 8] = [
    "my-sso",
    "sess-é",
    "😀 emoji",
    "quote\" and \\ backslash",
    "tab\there",
    "日本語",
    "del\u{7f}",
    "slash/colon:",
];

/// `Some(reason)` when python3 with botocore is not available.
fn botocore_missing() -> Option<String> {
    match Command::new("python3")
        .args(["-c", "import botocore, dateutil"])
        .output()
    {
        Err(error) => Some(format!("cannot run python3 ({error})")),
        Ok(output) if !output.status.success() => Some(format!(
            "python3 cannot import botocore: {}",
            // The last line of the traceback, e.g. `ModuleNotFoundError: No module named 'botocore'`.
            String::from_utf8_lossy(&output.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or_default()
        )),
        Ok(_) => None,
    }
}

#[test]
fn botocore_reads_our_files_and_we_read_botocores() {
    if let Some(reason) = botocore_missing() {
        eprintln!("SKIPPED botocore_reads_our_files_and_we_read_botocores: {reason}");
        return;
    }
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());

    // Our files, with an unknown non-ASCII key kept from "another tool".
    let mut session_token = token("at-session", "2030-01-01T00:00:00Z");
    session_token.start_url = Some(START_URL.into());
    cache.store_token(&session_key(), &session_token).unwrap();
    let legacy = TokenKey::legacy(START_URL);
    cache
        .store_token(
            &legacy,
            &sso_cache::CachedToken::new(
                Secret::new("at-legacy".into()),
                ts("2030-01-01T00:00:00Z"),
            ),
        )
        .unwrap();
    let role_key = RoleCredentialsKey::new("111111111111", "ReadOnly", Some("my-sso"), START_URL);
    let role = RoleCredentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("sk".into()),
        session_token: Secret::new("st".into()),
        // Far in the future: botocore checks it against the real clock.
        expiration: ts("2099-01-01T00:00:00Z"),
        account_id: Some("111111111111".into()),
    };
    cache
        .lock_role_credentials(&role_key)
        .unwrap()
        .store(&role)
        .unwrap();

    let names = serde_json::to_string(&AWKWARD_NAMES).unwrap();
    let output = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(home.path())
        .arg(START_URL)
        .arg(&names)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "botocore failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();

    // botocore read our token files and got exactly the fields we wrote.
    assert_eq!(out["session_token"], Value::Object(session_token.to_json()));
    assert_eq!(
        out["legacy_token"],
        json!({"accessToken": "at-legacy", "expiresAt": "2030-01-01T00:00:00Z"})
    );
    // ... and found our role credentials under the name it computes, and reused them.
    assert_eq!(out["role_key"], json!(role_key.file_stem()));
    assert_eq!(out["role_cached"], Value::Object(role.to_json()));

    // A token written by botocore loads here and re-renders to the same bytes.
    let py_key = TokenKey::session("py-sso", START_URL);
    let written = std::fs::read_to_string(cache.token_path(&py_key)).unwrap();
    assert!(
        written.contains(r#""expiresAt": "2030-01-02T03:04:05Z""#),
        "{written}"
    );
    let loaded = cache.load_token(&py_key).unwrap().require(&py_key).unwrap();
    assert_eq!(loaded.render(), written);

    // Cache-key JSON and hashes agree with Python for awkward names.
    let keys = out["keys"].as_array().unwrap();
    assert_eq!(keys.len(), AWKWARD_NAMES.len());
    for (name, expected) in AWKWARD_NAMES.iter().zip(keys) {
        let registration = RegistrationKey {
            start_url: START_URL.into(),
            region: "us-east-1".into(),
            scopes: Some(vec!["sso:account:access".into()]),
            session_name: Some((*name).into()),
        };
        let role = RoleCredentialsKey::new("1", *name, Some(name), START_URL);
        assert_eq!(
            expected["token"],
            json!(TokenKey::session(*name, START_URL).file_stem()),
            "{name:?}"
        );
        assert_eq!(
            expected["registration_json"],
            json!(registration.json()),
            "{name:?}"
        );
        assert_eq!(
            expected["registration"],
            json!(registration.file_stem()),
            "{name:?}"
        );
        assert_eq!(expected["role_json"], json!(role.json()), "{name:?}");
        assert_eq!(expected["role"], json!(role.file_stem()), "{name:?}");
    }
}
