//! The authorization-code grant with PKCE: what the browser is sent to, what the receiver is
//! asked to wait for, the code exchange, and every way the redirect or the exchange can fail.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sso_auth::pkce::challenge_for;
use sso_auth::{AuthError, Browser, CallbackError, Flow, Login, callback::parse_query};
use sso_cache::{Cache, CachedToken};

use crate::support::{
    ENDPOINT, RecordingBrowser, RecordingSleeper, RecordingTerminal, START_URL, ScriptedReceiver,
    ScriptedTransport, cache, clock, oidc, registered, session_target, token_response,
};

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

    fn login(&self, receiver: &ScriptedReceiver) -> Result<CachedToken, AuthError> {
        let client = oidc(&self.transport, &self.sleeper);
        let clock = clock();
        Login {
            oidc: &client,
            cache: &self.cache,
            clock: &clock,
            sleeper: self.sleeper.as_ref(),
            terminal: &self.terminal,
            browser: Some(&self.browser as &dyn Browser),
            service_start_url: START_URL,
        }
        .run(&session_target(), Flow::AuthorizationCode(receiver))
    }

    /// The query parameters of the authorization URL the browser was sent to.
    fn authorize_params(&self) -> Vec<(String, String)> {
        let opened = self.browser.opened.lock().unwrap();
        let url = opened.first().expect("the browser was opened");
        assert!(url.starts_with(&format!("{ENDPOINT}/authorize?")), "{url}");
        parse_query(url.split_once('?').unwrap().1)
    }

    fn param(&self, name: &str) -> String {
        self.authorize_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {name} in the authorize URL"))
    }
}

#[test]
fn the_code_is_exchanged_with_the_verifier_of_the_challenge_sent() {
    let run = Run::new();
    run.transport
        .ok("/client/register", registered("cid-pkce", 90))
        .ok("/token", token_response("at-pkce", true));
    let receiver = ScriptedReceiver::new(Ok("the-code".to_owned()));
    let token = run.login(&receiver).unwrap();
    assert_eq!(token.access_token.expose(), "at-pkce");
    run.transport.assert_done();

    // The receiver was asked for the state in the URL; the first wait is the short one after
    // which the user is told what to do if the browser is stuck.
    let asked = receiver.asked.lock().unwrap().clone();
    assert_eq!(asked, [(run.param("state"), Duration::from_secs(30))]);
    assert_eq!(run.param("client_id"), "cid-pkce");
    assert_eq!(
        run.param("redirect_uri"),
        "http://127.0.0.1:4321/oauth/callback"
    );
    assert_eq!(run.param("scopes"), "sso:account:access");
    assert_eq!(run.param("code_challenge_method"), "S256");

    // The registration is a PKCE one, for the start URL as issuer.
    let sent = run.transport.sent();
    assert_eq!(
        sent[0].body["grantTypes"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(sent[0].body["issuerUrl"], json!(START_URL));
    assert_eq!(sent[0].body["clientName"], json!("botocore-client-my-sso"));

    // The exchange sends the code, the same redirect URI and the verifier of the challenge.
    let exchange = &sent[1].body;
    assert_eq!(exchange["grantType"], json!("authorization_code"));
    assert_eq!(exchange["code"], json!("the-code"));
    assert_eq!(
        exchange["redirectUri"],
        json!("http://127.0.0.1:4321/oauth/callback")
    );
    let verifier = exchange["codeVerifier"].as_str().unwrap();
    assert_eq!(challenge_for(verifier), run.param("code_challenge"));
    assert!(
        run.terminal
            .stdout_text()
            .starts_with("Attempting to open your default browser. If the browser does not open, open the following URL.\n"),
        "{}",
        run.terminal.stdout_text()
    );
}

fn failed_redirect(outcome: CallbackError) -> (Run, AuthError) {
    let run = Run::new();
    run.transport
        .ok("/client/register", registered("cid-pkce", 90));
    let receiver = ScriptedReceiver::new(Err(outcome));
    let error = run.login(&receiver).unwrap_err();
    // Nothing is exchanged after a failed redirect.
    assert_eq!(run.transport.paths(), ["/client/register"]);
    (run, error)
}

#[test]
fn a_foreign_state_is_refused() {
    let (_, error) = failed_redirect(CallbackError::StateMismatch);
    assert!(matches!(error, AuthError::StateMismatch));
    assert_eq!(
        error.to_string(),
        "Error loading authorization code: State parameter does not match expected value."
    );
}

#[test]
fn an_error_redirect_is_a_denial() {
    let (_, error) = failed_redirect(CallbackError::Denied);
    assert_eq!(
        error.to_string(),
        "Error loading authorization code: Failed to retrieve an authorization code."
    );
    assert_eq!(error.exit_class().code(), 255);
}

#[test]
fn no_redirect_in_time_is_an_expired_authorization() {
    let run = Run::new();
    run.transport
        .ok("/client/register", registered("cid-pkce", 90));
    let receiver = ScriptedReceiver::sequence(vec![
        Err(CallbackError::TimedOut),
        Err(CallbackError::TimedOut),
    ]);
    let error = run.login(&receiver).unwrap_err();
    assert!(matches!(error, AuthError::AuthorizationExpired));
    // 30 s, a line saying what to do, then the rest of the AWS CLI's 600 s.
    let timeouts: Vec<Duration> = receiver
        .asked
        .lock()
        .unwrap()
        .iter()
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(
        timeouts,
        [Duration::from_secs(30), Duration::from_secs(570)]
    );
    assert_eq!(run.terminal.stderr_text(), sso_auth::login::STILL_WAITING);
}

#[test]
fn a_slow_browser_is_told_what_to_do_and_still_finishes() {
    let run = Run::new();
    run.transport
        .ok("/client/register", registered("cid-pkce", 90))
        .ok("/token", token_response("at-late", true));
    let receiver = ScriptedReceiver::sequence(vec![
        Err(CallbackError::TimedOut),
        Ok("late-code".to_owned()),
    ]);
    let token = run.login(&receiver).unwrap();
    assert_eq!(token.access_token.expose(), "at-late");
    assert!(run.terminal.stderr_text().contains("--use-device-code"));
    assert_eq!(run.transport.sent()[1].body["code"], "late-code");
}

#[test]
fn a_failing_listener_is_reported() {
    let (_, error) = failed_redirect(CallbackError::Io(std::io::Error::other("socket gone")));
    assert_eq!(
        error.to_string(),
        "The OAuth 2.0 authorization callback handler failed: socket gone"
    );
}

#[test]
fn code_exchange_errors() {
    // A rejected code is the service's error, with its code.
    let run = Run::new();
    run.transport
        .ok("/client/register", registered("cid-pkce", 90))
        .oidc_error("InvalidGrantException", "invalid_grant");
    let error = run
        .login(&ScriptedReceiver::new(Ok("stale".to_owned())))
        .unwrap_err();
    assert_eq!(error.aws_code(), Some("InvalidGrantException"));
    assert_eq!(error.exit_class().code(), 254);

    // An expired code reads as the CLI's expired-authorization message.
    let run = Run::new();
    run.transport
        .ok("/client/register", registered("cid-pkce", 90))
        .oidc_error("ExpiredTokenException", "expired_token");
    let error = run
        .login(&ScriptedReceiver::new(Ok("late".to_owned())))
        .unwrap_err();
    assert!(
        matches!(error, AuthError::AuthorizationExpired),
        "{error:?}"
    );
}
