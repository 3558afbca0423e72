//! The token provider: use as is, refresh in the advisory and mandatory windows, single
//! flight, and every branch of botocore's fallback when the refresh fails.

use jiff::SignedDuration;
use sso_auth::{AuthError, TokenProvider, token_key};
use sso_cache::{Cache, CacheError, CachedToken};
use sso_client::OidcClient;
use sso_core::Secret;

use crate::support::{
    RecordingSleeper, RecordingTerminal, START_URL, ScriptedTransport, cache, clock, legacy_target,
    now, oidc, session_target, token_response,
};

/// A refreshable token with `left` to live.
fn seed(cache: &Cache, target: &sso_config::SsoTarget, left: SignedDuration, refreshable: bool) {
    let mut token = CachedToken::new(Secret::new("at-old".to_owned()), now() + left);
    token.start_url = Some(START_URL.to_owned());
    token.region = Some("us-east-1".to_owned());
    if refreshable {
        token.client_id = Some("cid".to_owned());
        token.client_secret = Some(Secret::new("cs".to_owned()));
        token.registration_expires_at = Some(now() + SignedDuration::from_hours(24 * 30));
        token.refresh_token = Some(Secret::new("rt-old".to_owned()));
    }
    cache.store_token(&token_key(target), &token).unwrap();
}

struct Run {
    transport: std::sync::Arc<ScriptedTransport>,
    sleeper: std::sync::Arc<RecordingSleeper>,
    terminal: RecordingTerminal,
    _home: tempfile::TempDir,
    cache: Cache,
}

impl Run {
    fn new() -> Self {
        let (home, cache) = cache();
        Self {
            transport: ScriptedTransport::new(),
            sleeper: RecordingSleeper::new(),
            terminal: RecordingTerminal::default(),
            _home: home,
            cache,
        }
    }

    fn token(&self, target: &sso_config::SsoTarget) -> Result<String, AuthError> {
        self.token_at(target, clock())
    }

    fn token_at(
        &self,
        target: &sso_config::SsoTarget,
        clock: sso_core::FixedClock,
    ) -> Result<String, AuthError> {
        TokenProvider {
            cache: &self.cache,
            clock: &clock,
            terminal: &self.terminal,
        }
        .access_token(target, || -> Result<OidcClient, AuthError> {
            Ok(oidc(&self.transport, &self.sleeper))
        })
        .map(|token| token.expose().clone())
    }

    fn stored(&self, target: &sso_config::SsoTarget) -> CachedToken {
        self.cache
            .load_token(&token_key(target))
            .unwrap()
            .into_found()
            .unwrap()
    }
}

#[test]
fn fifteen_minutes_or_more_is_used_without_any_call() {
    let run = Run::new();
    seed(
        &run.cache,
        &session_target(),
        SignedDuration::from_mins(15),
        true,
    );
    assert_eq!(run.token(&session_target()).unwrap(), "at-old");
    assert!(run.transport.sent().is_empty());
}

#[test]
fn the_advisory_and_mandatory_windows_refresh_and_store() {
    for minutes in [14, 9, 0] {
        let run = Run::new();
        let target = session_target();
        seed(
            &run.cache,
            &target,
            SignedDuration::from_mins(minutes),
            true,
        );
        run.transport.ok("/token", token_response("at-new", true));
        assert_eq!(run.token(&target).unwrap(), "at-new", "{minutes} min left");
        let request = &run.transport.sent()[0].body;
        assert_eq!(request["grantType"], "refresh_token");
        assert_eq!(request["refreshToken"], "rt-old");
        let stored = run.stored(&target);
        assert_eq!(stored.access_token.expose(), "at-new");
        assert_eq!(stored.refresh_token.unwrap().expose(), "refresh-at-new");
        assert_eq!(stored.expires_at, now() + SignedDuration::from_hours(1));
        assert_eq!(
            stored.client_id.as_deref(),
            Some("cid"),
            "client fields carry over"
        );
    }
}

#[test]
fn a_service_error_keeps_a_valid_token() {
    for minutes in [14, 5] {
        let run = Run::new();
        seed(
            &run.cache,
            &session_target(),
            SignedDuration::from_mins(minutes),
            true,
        );
        run.transport
            .oidc_error("InvalidGrantException", "invalid_grant");
        assert_eq!(run.token(&session_target()).unwrap(), "at-old");
        assert_eq!(
            run.stored(&session_target()).access_token.expose(),
            "at-old"
        );
    }
}

#[test]
fn a_service_error_on_an_expired_token_is_refresh_failed() {
    let run = Run::new();
    seed(
        &run.cache,
        &session_target(),
        SignedDuration::from_mins(-1),
        true,
    );
    run.transport
        .oidc_error("InvalidGrantException", "invalid_grant");
    let error = run.token(&session_target()).unwrap_err();
    assert!(
        matches!(error, AuthError::Cache(CacheError::RefreshFailed)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "Error when retrieving token from sso: Token has expired and refresh failed"
    );
}

#[test]
fn a_network_error_is_swallowed_only_when_the_refresh_was_advisory() {
    let run = Run::new();
    seed(
        &run.cache,
        &session_target(),
        SignedDuration::from_mins(12),
        true,
    );
    run.transport.unreachable("/token");
    assert_eq!(run.token(&session_target()).unwrap(), "at-old");

    let run = Run::new();
    seed(
        &run.cache,
        &session_target(),
        SignedDuration::from_mins(5),
        true,
    );
    run.transport.unreachable("/token");
    let error = run.token(&session_target()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Could not connect to the endpoint URL"),
        "{error}"
    );
    assert_eq!(error.exit_class().code(), 255);
}

#[test]
fn a_token_that_cannot_refresh_is_used_until_it_expires() {
    let run = Run::new();
    seed(
        &run.cache,
        &session_target(),
        SignedDuration::from_mins(5),
        false,
    );
    assert_eq!(run.token(&session_target()).unwrap(), "at-old");
    seed(
        &run.cache,
        &session_target(),
        SignedDuration::from_mins(-5),
        false,
    );
    let error = run.token(&session_target()).unwrap_err();
    assert!(matches!(error, AuthError::Cache(CacheError::RefreshFailed)));
    assert!(run.transport.sent().is_empty());
}

#[test]
fn legacy_tokens_never_refresh() {
    let run = Run::new();
    seed(
        &run.cache,
        &legacy_target(),
        SignedDuration::from_mins(1),
        true,
    );
    assert_eq!(run.token(&legacy_target()).unwrap(), "at-old");
    seed(&run.cache, &legacy_target(), SignedDuration::ZERO, true);
    let error = run.token(&legacy_target()).unwrap_err();
    assert!(matches!(
        error,
        AuthError::Cache(CacheError::SessionExpired)
    ));
    assert!(run.transport.sent().is_empty());
}

#[test]
fn a_missing_token_names_the_session() {
    let run = Run::new();
    let error = run.token(&session_target()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Error loading SSO Token: Token for my-sso does not exist"
    );
}

/// A clock that, the first time it is read, plays another process finishing a refresh: it
/// writes a fresh token, exactly between the provider's first read and its taking the lock.
struct RacingClock {
    cache: Cache,
    raced: std::sync::atomic::AtomicBool,
}

impl sso_core::Clock for RacingClock {
    fn now(&self) -> jiff::Timestamp {
        if !self.raced.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let mut fresh = CachedToken::new(
                Secret::new("at-other-process".to_owned()),
                now() + SignedDuration::from_hours(1),
            );
            fresh.refresh_token = Some(Secret::new("rt-other".to_owned()));
            self.cache
                .store_token(&token_key(&session_target()), &fresh)
                .unwrap();
        }
        now()
    }
}

#[test]
fn a_refresh_done_by_another_process_is_not_repeated() {
    let run = Run::new();
    let target = session_target();
    seed(&run.cache, &target, SignedDuration::from_mins(5), true);
    let clock = RacingClock {
        cache: run.cache.clone(),
        raced: std::sync::atomic::AtomicBool::new(false),
    };
    let token = TokenProvider {
        cache: &run.cache,
        clock: &clock,
        terminal: &run.terminal,
    }
    .access_token(&target, || -> Result<OidcClient, AuthError> {
        unreachable!("the other process's token is read under the lock, not requested")
    })
    .unwrap();
    assert_eq!(token.expose(), "at-other-process");
    assert!(
        run.terminal
            .debug_lines()
            .contains(&"the token was refreshed by another process".to_owned()),
        "{:?}",
        run.terminal.debug_lines()
    );
}

#[test]
fn an_advisory_refresh_skips_a_lock_held_by_another_process() {
    let run = Run::new();
    let target = session_target();
    seed(&run.cache, &target, SignedDuration::from_mins(12), true);
    let held = run.cache.lock_token(&token_key(&target)).unwrap();
    assert_eq!(run.token(&target).unwrap(), "at-old");
    assert!(run.transport.sent().is_empty());
    drop(held);
}

#[test]
fn a_failed_refresh_is_not_repeated_by_the_next_caller_for_thirty_seconds() {
    let run = Run::new();
    let target = session_target();
    // Inside the mandatory window but still valid.
    seed(&run.cache, &target, SignedDuration::from_mins(5), true);
    run.transport
        .oidc_error("InvalidGrantException", "invalid_grant");
    assert_eq!(run.token(&target).unwrap(), "at-old");
    // The next process, moments later, uses the token it has: no second CreateToken (the script
    // has no answer left, so a call would fail the test).
    assert_eq!(run.token(&target).unwrap(), "at-old");
    assert_eq!(run.transport.paths(), ["/token"]);
    // Thirty seconds on, a refresh is tried again.
    run.transport.ok("/token", token_response("at-new", true));
    let later = sso_core::FixedClock(now() + sso_auth::token::RETRY_REFRESH_AFTER);
    assert_eq!(run.token_at(&target, later).unwrap(), "at-new");
    run.transport.assert_done();
}

#[test]
fn an_expired_token_whose_refresh_just_failed_fails_at_once() {
    let run = Run::new();
    let target = session_target();
    seed(&run.cache, &target, SignedDuration::from_mins(-1), true);
    run.transport.unreachable("/token");
    assert!(matches!(run.token(&target), Err(AuthError::Client(_))));
    // Every waiter after it: the same outcome without another attempt at a dead endpoint.
    let error = run.token(&target).unwrap_err();
    assert!(
        matches!(error, AuthError::Cache(CacheError::RefreshFailed)),
        "{error:?}"
    );
    assert_eq!(run.transport.paths(), ["/token"]);
}

#[test]
fn a_refresh_refused_for_an_unknown_client_forgets_that_registration() {
    use sso_cache::ClientRegistration;
    // Whether the cached registration of `client_id` survives a refresh the service refuses
    // with InvalidClientException for the token's client, `cid`.
    let survives = |client_id: &str| {
        let run = Run::new();
        let target = session_target();
        seed(&run.cache, &target, SignedDuration::from_mins(-1), true);
        let key = sso_auth::registration_key(&target);
        let registration = ClientRegistration::new(
            client_id.to_owned(),
            Secret::new("cs".to_owned()),
            now() + SignedDuration::from_hours(24 * 30),
            None,
            None,
        );
        run.cache.store_registration(&key, &registration).unwrap();
        run.transport
            .oidc_error("InvalidClientException", "invalid_client");
        assert!(run.token(&target).is_err());
        run.transport.assert_done();
        run.cache.registration_path(&key).exists()
    };
    // The rejected one is deleted, so the next login registers anew; another is left alone.
    assert!(!survives("cid"));
    assert!(survives("other-cid"));
}
