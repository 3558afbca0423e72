//! Reading, writing, corruption handling and the logout listings, on real files.

use std::path::Path;

use sso_cache::{
    Cache, CacheError, CacheWarning, ClientRegistration, Entry, RegistrationKey, RoleCredentials,
    RoleCredentialsKey, TokenKey,
};
use sso_core::Secret;
use tempfile::TempDir;

use crate::{START_URL, names, session_key, token, ts, write};

const SAMPLE: &str = r#"{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "at-device", "expiresAt": "2026-11-26T18:15:22Z", "clientId": "cid-123", "clientSecret": "csecret-456", "registrationExpiresAt": "2027-02-24T10:15:10Z", "refreshToken": "rt-device"}"#;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn token_store_writes_exact_bytes_and_loads_back() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = TokenKey::legacy(START_URL);
    assert!(matches!(
        cache.load_token(&key).unwrap().entry,
        Entry::Missing
    ));

    let mut token = token("at-device", "2026-11-26T18:15:22Z");
    token.refresh_token = Some(Secret::new("rt-device".into()));
    cache.store_token(&key, &token).unwrap();
    let path = home
        .path()
        .join(".aws/sso/cache/7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json");
    assert_eq!(cache.token_path(&key), path);
    // One line, no trailing newline, byte-identical to what the AWS CLI wrote (spec §2.2).
    assert_eq!(std::fs::read_to_string(&path).unwrap(), SAMPLE);

    let loaded = cache.load_token(&key).unwrap();
    assert!(loaded.warning.is_none());
    assert_eq!(loaded.require(&key).unwrap(), token);
}

#[test]
fn a_cli_written_file_round_trips_byte_for_byte() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = session_key();
    let path = cache.token_path(&key);
    write(&path, SAMPLE.as_bytes());
    let token = cache.load_token(&key).unwrap().require(&key).unwrap();
    cache.store_token(&key, &token).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), SAMPLE);
}

#[cfg(unix)]
#[test]
fn writes_are_owner_only_and_leave_no_temp_files() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = session_key();
    for round in 0..3 {
        cache
            .store_token(&key, &token(&format!("at-{round}"), "2026-11-26T18:15:22Z"))
            .unwrap();
    }
    let registration_key = RegistrationKey {
        start_url: START_URL.into(),
        region: "us-east-1".into(),
        scopes: None,
        session_name: Some("my-sso".into()),
    };
    let registration = ClientRegistration::new(
        "cid",
        Secret::new("cs".into()),
        ts("2027-01-01T00:00:00Z"),
        None,
        None,
    );
    cache
        .store_registration(&registration_key, &registration)
        .unwrap();
    let role_key = RoleCredentialsKey::new("111111111111", "ReadOnly", Some("my-sso"), START_URL);
    cache
        .lock_role_credentials(&role_key)
        .unwrap()
        .store(&role_credentials())
        .unwrap();

    let mut expected = [
        "0ad374308c5a4e22f723adf10145eafad7c4031c.json".to_owned(),
        format!("{}.json", registration_key.file_stem()),
    ];
    expected.sort();
    assert_eq!(names(cache.sso_cache_dir()), expected);
    assert_eq!(
        names(cache.cli_cache_dir()),
        ["7656329665c70f26bb8dc6f65f498aa9de8da4e0.json"]
    );
    for dir in [
        home.path().join(".aws"),
        home.path().join(".aws/sso"),
        home.path().join(".aws/sso/cache"),
        home.path().join(".aws/cli/cache"),
    ] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for path in [
        cache.token_path(&key),
        cache.registration_path(&registration_key),
        cache.role_credentials_path(&role_key),
    ] {
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    assert_eq!(
        std::fs::read_to_string(cache.token_path(&key)).unwrap(),
        token("at-2", "2026-11-26T18:15:22Z").render()
    );
}

#[cfg(unix)]
#[test]
fn existing_directories_and_loose_files_are_handled() {
    use std::os::unix::fs::PermissionsExt;
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = session_key();
    // The AWS CLI created the directory 0755 and an old file 0644.
    std::fs::create_dir_all(cache.sso_cache_dir()).unwrap();
    std::fs::set_permissions(
        cache.sso_cache_dir(),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    write(&cache.token_path(&key), SAMPLE.as_bytes());
    std::fs::set_permissions(
        cache.token_path(&key),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();

    cache
        .store_token(&key, &token("new", "2026-11-26T18:15:22Z"))
        .unwrap();
    // The directory is the user's: left as it was. The replaced file is 0600.
    assert_eq!(mode(cache.sso_cache_dir()), 0o755);
    assert_eq!(mode(&cache.token_path(&key)), 0o600);
}

#[test]
fn corrupt_token_files_table() {
    let valid = r#"{"accessToken": "at-1", "expiresAt": "2026-11-26T18:15:22Z"}"#;
    enum Want {
        Found(&'static str, Option<usize>),
        Missing(Option<&'static str>),
        Invalid(&'static str),
    }
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<u8>, Want)> = vec![
        ("valid",                 valid.into(),                                        Want::Found("at-1", None)),
        ("trailing newline",      format!("{valid}\n").into(),                         Want::Found("at-1", None)),
        ("empty",                 Vec::new(),                                          Want::Missing(Some("the file is empty"))),
        ("whitespace",            b"\n".to_vec(),                                      Want::Missing(Some("the file is empty"))),
        ("truncated",             valid[..20].into(),                                  Want::Missing(Some("invalid JSON: EOF while parsing"))),
        ("garbage",               b"\x00\x01binary".to_vec(),                          Want::Missing(Some("invalid JSON"))),
        ("array",                 b"[]".to_vec(),                                      Want::Missing(Some("the JSON is not an object"))),
        // The truncate-then-write signature: the new, shorter object then the old tail.
        ("stray bytes, token",    format!("{valid}5\"}}").into(),                      Want::Found("at-1", Some(3))),
        ("two objects",           format!("{valid}{valid}").into(),                    Want::Found("at-1", Some(valid.len()))),
        ("stray bytes, no token", br#"{"a": 1}5"}"#.to_vec(),                          Want::Missing(Some("3 stray bytes after a JSON object that is not a token: missing `accessToken`"))),
        ("no accessToken",        br#"{"expiresAt": "2026-11-26T18:15:22Z"}"#.to_vec(), Want::Invalid("missing `accessToken`")),
        ("no expiresAt",          br#"{"accessToken": "a"}"#.to_vec(),                 Want::Invalid("missing `expiresAt`")),
        ("bad expiresAt",         br#"{"accessToken": "a", "expiresAt": "x"}"#.to_vec(), Want::Invalid("`expiresAt` is not a timestamp")),
        ("registration file",     br#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-01-01T00:00:00Z"}"#.to_vec(), Want::Invalid("missing `accessToken`")),
    ];
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = session_key();
    let path = cache.token_path(&key);
    for (name, contents, want) in cases {
        write(&path, &contents);
        let loaded = cache.load_token(&key).unwrap();
        match (want, loaded.entry, loaded.warning) {
            (Want::Found(access_token, trailing), Entry::Found(token), warning) => {
                assert_eq!(token.access_token.expose(), access_token, "{name}");
                match (trailing, warning) {
                    (None, None) => {}
                    (
                        Some(bytes),
                        Some(CacheWarning::Recovered {
                            path: p,
                            trailing_bytes,
                        }),
                    ) => {
                        assert_eq!(
                            (p.as_path(), trailing_bytes),
                            (path.as_path(), bytes),
                            "{name}"
                        );
                    }
                    (want, got) => panic!("{name}: wanted trailing {want:?}, got {got:?}"),
                }
            }
            (Want::Missing(detail), Entry::Missing, warning) => match (detail, warning) {
                (
                    Some(detail),
                    Some(CacheWarning::Corrupt {
                        path: p,
                        detail: got,
                    }),
                ) => {
                    assert_eq!(p, path, "{name}");
                    assert!(got.starts_with(detail), "{name}: {got}");
                }
                (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
            },
            (
                Want::Invalid(detail),
                Entry::Invalid {
                    path: p,
                    detail: got,
                },
                None,
            ) => {
                assert_eq!(
                    (p.as_path(), got.as_str()),
                    (path.as_path(), detail),
                    "{name}"
                );
            }
            (_, entry, warning) => panic!("{name}: unexpected {entry:?} / {warning:?}"),
        }
    }
}

#[test]
fn require_gives_the_botocore_messages() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let session = session_key();
    let legacy = TokenKey::legacy(START_URL);
    let missing = |key: &TokenKey| {
        cache
            .load_token(key)
            .unwrap()
            .require(key)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        missing(&session),
        "Error loading SSO Token: Token for my-sso does not exist"
    );
    assert_eq!(
        missing(&legacy),
        "Error loading SSO Token: Token for https://d-1234567890.awsapps.com/start does not exist"
    );
    // A corrupt file is reported as missing (after the warning), not as a crash.
    write(&cache.token_path(&session), b"");
    assert_eq!(
        missing(&session),
        "Error loading SSO Token: Token for my-sso does not exist"
    );
    // "is invalid" names the start URL even for an sso-session, as botocore does.
    write(&cache.token_path(&session), br#"{"accessToken": "a"}"#);
    let error = cache
        .load_token(&session)
        .unwrap()
        .require(&session)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Error loading SSO Token: Token for https://d-1234567890.awsapps.com/start is invalid"
    );
    assert!(
        matches!(error, CacheError::TokenInvalid { detail, .. } if detail == "missing `expiresAt`")
    );
}

#[test]
fn registrations_and_role_credentials_degrade_to_missing() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = RegistrationKey {
        start_url: START_URL.into(),
        region: "us-east-1".into(),
        scopes: Some(vec!["sso:account:access".into()]),
        session_name: Some("my-sso".into()),
    };
    let path = cache.registration_path(&key);
    assert!(matches!(
        cache.load_registration(&key).unwrap().entry,
        Entry::Missing
    ));

    write(
        &path,
        br#"{"clientId": "c", "expiresAt": "2027-01-01T00:00:00Z"}"#,
    );
    let loaded = cache.load_registration(&key).unwrap();
    assert!(matches!(loaded.entry, Entry::Missing));
    assert_eq!(
        loaded.warning,
        Some(CacheWarning::Incomplete {
            path: path.clone(),
            detail: "missing `clientSecret`".into()
        })
    );

    let good = r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-01-01T00:00:00Z"}"#;
    write(&path, format!("{good}0\"}}").as_bytes());
    let loaded = cache.load_registration(&key).unwrap();
    assert!(matches!(
        loaded.warning,
        Some(CacheWarning::Recovered {
            trailing_bytes: 3,
            ..
        })
    ));
    assert_eq!(loaded.into_found().unwrap().client_id, "c");

    let role_key = RoleCredentialsKey::new("111111111111", "ReadOnly", Some("my-sso"), START_URL);
    write(&cache.role_credentials_path(&role_key), b"{");
    let loaded = cache.load_role_credentials(&role_key).unwrap();
    assert!(matches!(loaded.entry, Entry::Missing));
    assert!(matches!(loaded.warning, Some(CacheWarning::Corrupt { .. })));
    cache
        .lock_role_credentials(&role_key)
        .unwrap()
        .store(&role_credentials())
        .unwrap();
    let loaded = cache.load_role_credentials(&role_key).unwrap();
    assert!(loaded.warning.is_none());
    assert_eq!(loaded.into_found(), Some(role_credentials()));
}

#[test]
fn read_errors_other_than_not_found_are_errors() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let key = session_key();
    // A directory where the token file should be: the read fails with a path in the message.
    std::fs::create_dir_all(cache.token_path(&key)).unwrap();
    let error = cache.load_token(&key).unwrap_err();
    let CacheError::Io { action, path, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((*action, path), ("read", &cache.token_path(&key)));
    assert!(error.to_string().starts_with("failed to read `"), "{error}");
}

#[test]
fn logout_listings_match_the_cli_rules() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let sso = cache.sso_cache_dir().to_owned();
    assert_eq!(cache.token_files().unwrap(), []);
    assert_eq!(
        cache.sso_role_credential_files().unwrap(),
        Vec::<std::path::PathBuf>::new()
    );

    write(&sso.join("a.json"), SAMPLE.as_bytes());
    write(
        &sso.join("b.json"),
        br#"{"accessToken": "at-b", "expiresAt": "2026-01-01T00:00:00Z"}"#,
    );
    write(
        &sso.join("c.json"),
        br#"{"accessToken": "at-c", "region": ""}"#,
    );
    write(
        &sso.join("d"),
        br#"{"accessToken": null, "region": "eu-west-1"}"#,
    );
    write(
        &sso.join("e.json"),
        br#"{"accessToken": "at-e", "region": "us-west-2"}trailing"#,
    );
    write(
        &sso.join("registration.json"),
        br#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-01-01T00:00:00Z"}"#,
    );
    write(&sso.join("empty.json"), b"");
    write(&sso.join("corrupt.json"), br#"{"accessToken": "#);
    write(&sso.join("list.json"), br#"["accessToken"]"#);
    std::fs::create_dir_all(sso.join("subdir.json")).unwrap();

    let mut files = cache.token_files().unwrap();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let shown: Vec<(String, Option<String>, Option<String>)> = files
        .iter()
        .map(|file| {
            (
                file.path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                file.access_token
                    .as_ref()
                    .map(|token| token.expose().clone()),
                file.region.clone(),
            )
        })
        .collect();
    let own = |s: &str| Some(s.to_owned());
    assert_eq!(
        shown,
        [
            ("a.json".to_owned(), own("at-device"), own("us-east-1")),
            ("b.json".to_owned(), own("at-b"), None),
            ("c.json".to_owned(), own("at-c"), None),
            ("d".to_owned(), None, own("eu-west-1")),
            ("e.json".to_owned(), own("at-e"), own("us-west-2")),
        ]
    );
    assert!(
        !format!("{files:?}").contains("at-device"),
        "Debug leaks the token"
    );

    let cli = cache.cli_cache_dir().to_owned();
    let sso_entry = role_credentials().render();
    write(&cli.join("sso.json"), sso_entry.as_bytes());
    write(
        &cli.join("assume.json"),
        br#"{"Credentials": {"AccessKeyId": "x"}, "ProviderType": "assume-role"}"#,
    );
    write(&cli.join("plain.json"), br#"{"Credentials": {}}"#);
    write(&cli.join("session.db"), b"SQLite format 3\x00\x10\x00");
    let mut files = cache.sso_role_credential_files().unwrap();
    files.sort();
    assert_eq!(files, [cli.join("sso.json")]);

    for file in cache.token_files().unwrap() {
        let lock = cache.lock_token_file(&file).unwrap();
        assert!(lock.delete().unwrap());
    }
    assert_eq!(
        names(&sso),
        [
            "corrupt.json",
            "empty.json",
            "list.json",
            "registration.json",
            "subdir.json"
        ]
    );
    assert!(cache.delete_file(&cli.join("sso.json")).unwrap());
    assert!(!cache.delete_file(&cli.join("sso.json")).unwrap());
    // Locks were taken outside the cache directory.
    assert_eq!(
        names(cache.lock_dir()),
        [
            "a.json.lock",
            "b.json.lock",
            "c.json.lock",
            "d.lock",
            "e.json.lock"
        ]
    );
}

fn role_credentials() -> RoleCredentials {
    RoleCredentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("sk-secret".into()),
        session_token: Secret::new("st-secret".into()),
        expiration: ts("2026-11-26T19:15:22Z"),
        account_id: Some("111111111111".into()),
    }
}

#[test]
fn a_write_removes_temp_files_abandoned_by_a_killed_writer() {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    let dir = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let abandoned = dir.join(".aws-sso-abandoned.tmp");
    let in_flight = dir.join(".aws-sso-inflight.tmp");
    let foreign = dir.join("other-tool.tmp");
    for path in [&abandoned, &in_flight, &foreign] {
        std::fs::write(path, r#"{"accessToken": "live"}"#).unwrap();
    }
    let two_minutes_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    for path in [&abandoned, &foreign] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(two_minutes_ago)
            .unwrap();
    }
    cache
        .store_token(&session_key(), &token("a", "2026-01-01T00:00:00Z"))
        .unwrap();
    assert!(
        !abandoned.exists(),
        "a minute-old temp file of ours is swept"
    );
    assert!(
        in_flight.exists(),
        "another writer's fresh temp file is left alone"
    );
    assert!(foreign.exists(), "files that are not ours are left alone");
    assert_eq!(cache.leftover_temp_files().unwrap(), [in_flight]);
}
