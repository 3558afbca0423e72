//! The role-credentials provider: the AWS CLI's cache file, the 15-minute reuse rule, botocore's
//! error for an unauthorized token, and single flight across threads.

use std::sync::Arc;

use serde_json::json;
use sso_auth::{AuthError, Fetch, RoleCredentialsProvider, role_key};
use sso_cache::Cache;
use sso_client::PortalClient;
use sso_config::RoleProfile;
use sso_core::Secret;

use crate::support::{
    RecordingSleeper, RecordingTerminal, ScriptedTransport, cache, clock, now, portal,
    session_target,
};

fn role() -> RoleProfile {
    RoleProfile {
        profile_name: "dev".to_owned(),
        account_id: "111111111111".to_owned(),
        role_name: "ReadOnly".to_owned(),
        target: session_target(),
    }
}

/// GetRoleCredentials' answer, expiring `minutes` from now.
fn credentials_response(key_id: &str, minutes: i64) -> serde_json::Value {
    json!({"roleCredentials": {
        "accessKeyId": key_id,
        "secretAccessKey": "secret-key",
        "sessionToken": "session-token",
        "expiration": (now().as_second() + minutes * 60) * 1000,
    }})
}

fn fetch_with(
    cache: &Cache,
    transport: &Arc<ScriptedTransport>,
) -> Result<sso_cache::RoleCredentials, AuthError> {
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let clock = clock();
    RoleCredentialsProvider {
        cache,
        clock: &clock,
        terminal: &terminal,
    }
    .credentials(
        &role(),
        Fetch {
            token: || Ok(Secret::new("at-1".to_owned())),
            portal: || -> Result<PortalClient, AuthError> { Ok(portal(transport, &sleeper)) },
        },
    )
}

#[test]
fn a_cold_cache_fetches_and_writes_the_aws_cli_entry() {
    let (home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport.ok("/federation/credentials", credentials_response("ASIA1", 60));
    let credentials = fetch_with(&cache, &transport).unwrap();
    assert_eq!(credentials.access_key_id, "ASIA1");
    transport.assert_done();
    // The file the AWS CLI v2 would have written, under botocore's key for the profile.
    let path = cache.role_credentials_path(&role_key(&role()));
    assert!(path.starts_with(home.path().join(".aws/cli/cache")));
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        written,
        r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "secret-key", "SessionToken": "session-token", "Expiration": "2026-06-01T13:00:00Z", "AccountId": "111111111111"}}"#
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // A second call is served from the file: nothing is scripted, so any request would fail.
    let again = fetch_with(&cache, &ScriptedTransport::new()).unwrap();
    assert_eq!(again.access_key_id, "ASIA1");
}

#[test]
fn less_than_fifteen_minutes_left_is_fetched_again() {
    let (_home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport
        .ok(
            "/federation/credentials",
            credentials_response("ASIA-SHORT", 14),
        )
        .ok(
            "/federation/credentials",
            credentials_response("ASIA-LONG", 60),
        );
    assert_eq!(
        fetch_with(&cache, &transport).unwrap().access_key_id,
        "ASIA-SHORT"
    );
    assert_eq!(
        fetch_with(&cache, &transport).unwrap().access_key_id,
        "ASIA-LONG"
    );
    transport.assert_done();
    let sent = transport.sent();
    assert_eq!(sent.len(), 2);
}

#[test]
fn an_unauthorized_token_reads_as_an_expired_session() {
    let (_home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport.reply(
        "/federation/credentials",
        401,
        Some("UnauthorizedException"),
        json!({"message": "Session token not found or invalid"}),
    );
    let error = fetch_with(&cache, &transport).unwrap_err();
    assert_eq!(
        error.to_string(),
        "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile."
    );
    assert!(
        cache
            .load_role_credentials(&role_key(&role()))
            .unwrap()
            .into_found()
            .is_none()
    );
}

#[test]
fn incomplete_credentials_are_refused() {
    let (_home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport.ok(
        "/federation/credentials",
        json!({"roleCredentials": {"accessKeyId": "ASIA"}}),
    );
    let error = fetch_with(&cache, &transport).unwrap_err();
    assert!(
        matches!(error, AuthError::IncompleteRoleCredentials),
        "{error:?}"
    );
}

#[test]
fn parallel_callers_make_one_call() {
    let (_home, cache) = cache();
    // One reply: a second GetRoleCredentials would find the script ended and fail its thread.
    let transport = ScriptedTransport::new();
    transport.ok(
        "/federation/credentials",
        credentials_response("ASIA-ONCE", 60),
    );
    let key_ids: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| fetch_with(&cache, &transport).unwrap().access_key_id))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert!(key_ids.iter().all(|id| id == "ASIA-ONCE"), "{key_ids:?}");
    assert_eq!(transport.sent().len(), 1);
}
