//! The device authorization grant: the silent first attempt, polling, `slow_down`, expiry and
//! denial, with every wait recorded instead of slept.

use std::sync::Arc;

use serde_json::json;
use sso_auth::{AuthError, Browser, Flow, Login, PENDING_AUTHORIZATION_EXPIRED};
use sso_cache::{Cache, CachedToken, TokenKey};

use crate::support::{
    RecordingBrowser, RecordingSleeper, RecordingTerminal, START_URL, ScriptedTransport, cache,
    clock, device_authorization, legacy_target, oidc, registered, session_target, token_response,
};

/// Runs a device-code login for `target` against the script.
struct Run {
    transport: Arc<ScriptedTransport>,
    sleeper: Arc<RecordingSleeper>,
    terminal: RecordingTerminal,
    browser: RecordingBrowser,
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
            browser: RecordingBrowser::default(),
            _home: home,
            cache,
        }
    }

    fn login(
        &self,
        target: &sso_config::SsoTarget,
        browser: bool,
    ) -> Result<CachedToken, AuthError> {
        let client = oidc(&self.transport, &self.sleeper);
        let clock = clock();
        Login {
            oidc: &client,
            cache: &self.cache,
            clock: &clock,
            sleeper: self.sleeper.as_ref(),
            terminal: &self.terminal,
            browser: browser.then_some(&self.browser as &dyn Browser),
            service_start_url: START_URL,
        }
        .run(target, Flow::DeviceCode)
    }

    /// Registration and device authorization, with `interval`.
    fn started(&self, interval: Option<i64>) -> &ScriptedTransport {
        self.transport
            .ok("/client/register", registered("cid-1", 90))
            .ok("/device_authorization", device_authorization(interval))
    }
}

#[test]
fn a_pre_authorised_client_finishes_silently() {
    let run = Run::new();
    run.started(Some(1))
        .ok("/token", token_response("at-1", true));
    let token = run.login(&session_target(), true).unwrap();
    assert_eq!(token.access_token.expose(), "at-1");
    assert!(
        run.sleeper.slept().is_empty(),
        "no wait before the first poll"
    );
    assert_eq!(
        run.terminal.stdout_text(),
        "",
        "no prompt for a silent login"
    );
    assert!(run.browser.opened.lock().unwrap().is_empty());
    run.transport.assert_done();
    // The token file is what `aws sso login` writes.
    let stored = run
        .cache
        .load_token(&TokenKey::session("my-sso", START_URL))
        .unwrap()
        .into_found()
        .unwrap();
    assert_eq!(stored.access_token.expose(), "at-1");
    assert_eq!(stored.client_id.as_deref(), Some("cid-1"));
    assert_eq!(stored.refresh_token.unwrap().expose(), "refresh-at-1");
    assert_eq!(stored.expires_at.to_string(), "2026-06-01T13:00:00Z");
}

#[test]
fn pending_polls_wait_the_interval_and_prompt_once() {
    let run = Run::new();
    run.started(Some(2))
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .ok("/token", token_response("at-2", true));
    run.login(&session_target(), true).unwrap();
    assert_eq!(run.sleeper.slept(), [2, 2, 2]);
    assert_eq!(
        run.terminal.stdout_text(),
        "Attempting to open your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\nhttps://device.sso.us-east-1.amazonaws.com/\n\nThen enter the code:\n\nABCD-EFGH\n"
    );
    assert_eq!(
        *run.browser.opened.lock().unwrap(),
        ["https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH"]
    );
    // Every poll sends the same device code grant.
    let polls: Vec<_> = run
        .transport
        .sent()
        .into_iter()
        .filter(|s| s.path == "/token")
        .collect();
    assert_eq!(polls.len(), 4);
    for poll in polls {
        assert_eq!(poll.body["deviceCode"], json!("device-1"));
        assert_eq!(
            poll.body["grantType"],
            json!("urn:ietf:params:oauth:grant-type:device_code")
        );
    }
}

#[test]
fn slow_down_adds_five_seconds_cumulatively() {
    let run = Run::new();
    run.started(Some(1))
        .oidc_error("SlowDownException", "slow_down")
        .oidc_error("SlowDownException", "slow_down")
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .ok("/token", token_response("at-3", true));
    run.login(&session_target(), true).unwrap();
    // 1 + 5 after the silent attempt, + 5 more after the second, and it stays there.
    assert_eq!(run.sleeper.slept(), [6, 11, 11]);
}

#[test]
fn no_interval_means_five_seconds() {
    let run = Run::new();
    run.started(None)
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .ok("/token", token_response("at-4", true));
    run.login(&session_target(), true).unwrap();
    assert_eq!(run.sleeper.slept(), [5]);
}

#[test]
fn an_expired_device_code_ends_the_login() {
    let run = Run::new();
    run.started(Some(1))
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .oidc_error("ExpiredTokenException", "expired_token");
    let error = run.login(&session_target(), true).unwrap_err();
    assert!(
        matches!(error, AuthError::AuthorizationExpired),
        "{error:?}"
    );
    assert_eq!(error.to_string(), PENDING_AUTHORIZATION_EXPIRED);
    assert_eq!(error.exit_class().code(), 255);
    assert!(
        run.cache
            .load_token(&TokenKey::session("my-sso", START_URL))
            .unwrap()
            .into_found()
            .is_none(),
        "no token is written"
    );
}

#[test]
fn a_denied_authorization_is_the_service_error() {
    let run = Run::new();
    run.started(Some(1)).reply(
        "/token",
        400,
        Some("AccessDeniedException"),
        json!({"error": "access_denied", "error_description": null}),
    );
    let error = run.login(&session_target(), true).unwrap_err();
    assert_eq!(error.aws_code(), Some("AccessDeniedException"));
    assert!(error.is_service_error());
    assert_eq!(error.exit_class().code(), 254);
}

#[test]
fn without_a_browser_the_url_and_code_are_printed() {
    let run = Run::new();
    run.started(Some(1))
        .oidc_error("AuthorizationPendingException", "authorization_pending")
        .ok("/token", token_response("at-5", false));
    let token = run.login(&legacy_target(), false).unwrap();
    assert!(run.browser.opened.lock().unwrap().is_empty());
    assert_eq!(
        run.terminal.stdout_text(),
        "Browser will not be automatically opened.\nPlease visit the following URL:\n\nhttps://device.sso.us-east-1.amazonaws.com/\n\nThen enter the code:\n\nABCD-EFGH\n\nAlternatively, you may visit the following URL which will autofill the code upon loading:\nhttps://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH\n"
    );
    // A legacy login is cached under the start URL and has no refresh token.
    assert!(token.refresh_token.is_none());
    assert!(
        run.cache
            .load_token(&TokenKey::legacy(START_URL))
            .unwrap()
            .into_found()
            .is_some()
    );
}
