//! Client-registration reuse: the 15-minute rule, the grant-type rule, and what a new
//! registration asks for.

use jiff::SignedDuration;
use serde_json::json;
use sso_auth::{AuthError, Flow, Login, registration_key};
use sso_cache::{Cache, ClientRegistration};
use sso_core::Secret;

use crate::support::{
    RecordingSleeper, RecordingTerminal, START_URL, ScriptedReceiver, ScriptedTransport, cache,
    clock, legacy_target, now, oidc, registered, session_target, token_response,
};

fn seed(cache: &Cache, target: &sso_config::SsoTarget, left: SignedDuration, pkce: bool) {
    let grants = pkce.then(|| vec!["authorization_code".to_owned(), "refresh_token".to_owned()]);
    let registration = ClientRegistration::new(
        "cid-cached".to_owned(),
        Secret::new("secret-cached".to_owned()),
        now() + left,
        Some(vec!["sso:account:access".to_owned()]),
        grants,
    );
    cache
        .store_registration(&registration_key(target), &registration)
        .unwrap();
}

/// What a login did: the paths it requested, how it ended, the cache it used, and what it
/// printed on stderr.
type Outcome = (
    Vec<String>,
    Result<(), AuthError>,
    Cache,
    tempfile::TempDir,
    String,
);

/// Logs in (PKCE or device code) after `before` seeded the cache, with a script that expects
/// a new registration.
fn login(pkce: bool, target: &sso_config::SsoTarget, before: impl FnOnce(&Cache)) -> Outcome {
    let (home, cache) = cache();
    before(&cache);
    let transport = ScriptedTransport::new();
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let client = oidc(&transport, &sleeper);
    let clock = clock();
    let receiver = ScriptedReceiver::new(Ok("code".to_owned()));
    let flow = if pkce {
        Flow::AuthorizationCode(&receiver)
    } else {
        Flow::DeviceCode
    };
    transport.ok("/client/register", registered("cid-new", 90));
    if !pkce {
        transport.ok(
            "/device_authorization",
            crate::support::device_authorization(Some(1)),
        );
    }
    transport.ok("/token", token_response("at", true));
    let result = Login {
        oidc: &client,
        cache: &cache,
        clock: &clock,
        sleeper: sleeper.as_ref(),
        terminal: &terminal,
        browser: None,
        service_start_url: START_URL,
    }
    .run(target, flow)
    .map(|_| ());
    (
        transport.paths(),
        result,
        cache,
        home,
        terminal.stderr_text(),
    )
}

fn client_id_used(cache: &Cache, target: &sso_config::SsoTarget) -> String {
    cache
        .load_token(&sso_auth::token_key(target))
        .unwrap()
        .into_found()
        .unwrap()
        .client_id
        .unwrap()
}

#[test]
fn reuse_and_re_registration() {
    let target = session_target();
    // 16 minutes left, PKCE kind: reused, no RegisterClient.
    let (home, cache) = cache();
    seed(&cache, &target, SignedDuration::from_mins(16), true);
    let transport = ScriptedTransport::new();
    // The reachability check (any answer will do), then the token exchange.
    transport.reply("/", 404, None, json!({}));
    transport.ok("/token", token_response("at", true));
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let client = oidc(&transport, &sleeper);
    let clock = clock();
    let receiver = ScriptedReceiver::new(Ok("code".to_owned()));
    Login {
        oidc: &client,
        cache: &cache,
        clock: &clock,
        sleeper: sleeper.as_ref(),
        terminal: &terminal,
        browser: None,
        service_start_url: START_URL,
    }
    .run(&target, Flow::AuthorizationCode(&receiver))
    .unwrap();
    assert_eq!(transport.paths(), ["/", "/token"]);
    assert_eq!(client_id_used(&cache, &target), "cid-cached");
    drop(home);

    // 14 minutes left: registered anew, and the new one is cached.
    let (paths, result, cache, _home, _) = login(true, &target, |cache| {
        seed(cache, &target, SignedDuration::from_mins(14), true);
    });
    result.unwrap();
    assert_eq!(paths, ["/client/register", "/token"]);
    assert_eq!(client_id_used(&cache, &target), "cid-new");
    let cached = cache
        .load_registration(&registration_key(&target))
        .unwrap()
        .into_found()
        .unwrap();
    assert_eq!(cached.client_id, "cid-new");
    assert!(cached.is_pkce());
}

#[test]
fn a_registration_for_the_other_grant_is_not_reused() {
    let target = session_target();
    // A device-code registration cannot serve PKCE (no redirect URI) …
    let (paths, result, _, _home, _) = login(true, &target, |cache| {
        seed(cache, &target, SignedDuration::from_hours(24), false);
    });
    result.unwrap();
    assert_eq!(paths, ["/client/register", "/token"]);
    // … and a PKCE registration is not used for the device flow.
    let (paths, result, _, _home, _) = login(false, &target, |cache| {
        seed(cache, &target, SignedDuration::from_hours(24), true);
    });
    result.unwrap();
    assert_eq!(
        paths,
        ["/client/register", "/device_authorization", "/token"]
    );
}

#[test]
fn new_registrations_are_named_and_scoped_as_botocore_does() {
    let (home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport
        .ok("/client/register", registered("cid-legacy", 90))
        .ok(
            "/device_authorization",
            crate::support::device_authorization(Some(1)),
        )
        .ok("/token", token_response("at", false));
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let client = oidc(&transport, &sleeper);
    let clock = clock();
    Login {
        oidc: &client,
        cache: &cache,
        clock: &clock,
        sleeper: sleeper.as_ref(),
        terminal: &terminal,
        browser: None,
        service_start_url: START_URL,
    }
    .run(&legacy_target(), Flow::DeviceCode)
    .unwrap();
    let register = &transport.sent()[0].body;
    // Legacy: named after the current epoch second, no scopes, no grant types.
    assert_eq!(
        register,
        &json!({"clientName": format!("botocore-client-{}", now().as_second()), "clientType": "public"})
    );
    drop(home);
}

#[test]
fn a_registration_without_an_expiry_is_refused() {
    let (_home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport.ok(
        "/client/register",
        json!({"clientId": "c", "clientSecret": "s"}),
    );
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let client = oidc(&transport, &sleeper);
    let clock = clock();
    let error = Login {
        oidc: &client,
        cache: &cache,
        clock: &clock,
        sleeper: sleeper.as_ref(),
        terminal: &terminal,
        browser: None,
        service_start_url: START_URL,
    }
    .run(&session_target(), Flow::DeviceCode)
    .unwrap_err();
    assert!(matches!(error, AuthError::InvalidRegistration), "{error:?}");
    assert!(
        cache
            .load_registration(&registration_key(&session_target()))
            .unwrap()
            .into_found()
            .is_none(),
        "nothing is cached"
    );
}

#[test]
fn a_corrupt_cached_registration_is_reported_and_replaced() {
    let target = session_target();
    let path = std::sync::Mutex::new(String::new());
    let (paths, result, cache, _home, stderr) = login(false, &target, |cache| {
        let file = cache.registration_path(&registration_key(&target));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "{not json").unwrap();
        *path.lock().unwrap() = file.display().to_string();
    });
    result.unwrap();
    assert!(stderr.starts_with("warning: "), "{stderr}");
    assert!(stderr.contains(path.lock().unwrap().as_str()), "{stderr}");
    assert_eq!(
        paths,
        ["/client/register", "/device_authorization", "/token"]
    );
    assert_eq!(
        cache
            .load_registration(&registration_key(&target))
            .unwrap()
            .into_found()
            .unwrap()
            .client_id,
        "cid-new"
    );
}

#[test]
fn an_empty_scope_list_is_not_sent_or_stored() {
    let (_home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport
        .ok("/client/register", registered("cid-empty", 90))
        .ok(
            "/device_authorization",
            crate::support::device_authorization(Some(1)),
        )
        .ok("/token", token_response("at", true));
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let client = oidc(&transport, &sleeper);
    let clock = clock();
    let target = sso_config::SsoTarget::Session {
        session_name: "my-sso".to_owned(),
        start_url: START_URL.to_owned(),
        region: "us-east-1".to_owned(),
        // `sso_registration_scopes =` with nothing after it.
        registration_scopes: Some(Vec::new()),
    };
    Login {
        oidc: &client,
        cache: &cache,
        clock: &clock,
        sleeper: sleeper.as_ref(),
        terminal: &terminal,
        browser: None,
        service_start_url: START_URL,
    }
    .run(&target, Flow::DeviceCode)
    .unwrap();
    assert_eq!(
        transport.sent()[0].body,
        json!({"clientName": "botocore-client-my-sso", "clientType": "public"})
    );
    let stored = cache
        .load_registration(&sso_auth::registration_key(&target))
        .unwrap()
        .into_found()
        .unwrap();
    assert_eq!(stored.scopes, None);
}

/// Runs a login of `target` with `flow` against `transport` and `cache`; returns how it ended
/// and the terminal it wrote to.
fn run_login(
    cache: &Cache,
    transport: &std::sync::Arc<ScriptedTransport>,
    browser: Option<&dyn sso_auth::Browser>,
    target: &sso_config::SsoTarget,
    flow: Flow<'_>,
) -> (Result<sso_cache::CachedToken, AuthError>, RecordingTerminal) {
    let sleeper = RecordingSleeper::new();
    let terminal = RecordingTerminal::default();
    let client = oidc(transport, &sleeper);
    let clock = clock();
    let result = Login {
        oidc: &client,
        cache,
        clock: &clock,
        sleeper: sleeper.as_ref(),
        terminal: &terminal,
        browser,
        service_start_url: START_URL,
    }
    .run(target, flow);
    (result, terminal)
}

#[test]
fn a_cached_registration_the_service_rejects_is_replaced_once() {
    let target = session_target();
    let (_home, cache) = cache();
    // A device-code registration with months left, which the service has forgotten.
    seed(&cache, &target, SignedDuration::from_hours(24 * 60), false);
    let transport = ScriptedTransport::new();
    transport
        .reply(
            "/device_authorization",
            401,
            Some("InvalidClientException"),
            json!({"error": "invalid_client", "error_description": "Invalid client"}),
        )
        .ok("/client/register", registered("cid-new", 90))
        .ok(
            "/device_authorization",
            crate::support::device_authorization(Some(1)),
        )
        .ok("/token", token_response("at", true));
    let (result, _) = run_login(&cache, &transport, None, &target, Flow::DeviceCode);
    result.unwrap();
    transport.assert_done();
    let sent = transport.sent();
    assert_eq!(sent[0].body["clientId"], "cid-cached");
    assert_eq!(sent[2].body["clientId"], "cid-new");
    assert_eq!(client_id_used(&cache, &target), "cid-new");
    let cached = cache
        .load_registration(&registration_key(&target))
        .unwrap()
        .into_found()
        .unwrap();
    assert_eq!(cached.client_id, "cid-new");
}

#[test]
fn a_new_registration_that_is_rejected_is_not_retried() {
    let target = session_target();
    let (_home, cache) = cache();
    let transport = ScriptedTransport::new();
    transport
        .ok("/client/register", registered("cid-new", 90))
        .reply(
            "/device_authorization",
            401,
            Some("InvalidClientException"),
            json!({"error": "invalid_client", "error_description": "Invalid client"}),
        );
    let (result, _) = run_login(&cache, &transport, None, &target, Flow::DeviceCode);
    let error = result.unwrap_err();
    assert!(
        error.to_string().contains("InvalidClientException"),
        "{error}"
    );
    transport.assert_done();
}

#[test]
fn an_unreachable_oidc_host_fails_before_the_browser_opens() {
    let target = session_target();
    let (_home, cache) = cache();
    seed(&cache, &target, SignedDuration::from_hours(24 * 30), true);
    let transport = ScriptedTransport::new();
    transport.unreachable("/");
    let browser = crate::support::RecordingBrowser::default();
    let receiver = ScriptedReceiver::new(Ok("code".to_owned()));
    let (result, terminal) = run_login(
        &cache,
        &transport,
        Some(&browser),
        &target,
        Flow::AuthorizationCode(&receiver),
    );
    let error = result.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Could not connect to the endpoint URL: \"https://oidc.us-east-1.amazonaws.com/\""
    );
    assert!(
        browser.opened.lock().unwrap().is_empty(),
        "no browser for a sign-in that cannot finish"
    );
    assert_eq!(terminal.stdout_text(), "");
}
