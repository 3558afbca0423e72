//! The browser side: `GET /authorize` (authorization code + PKCE, `wire-protocol.md` §10) and
//! the device verification pages (§10.3), with sign-in and consent in between.
//!
//! Flows:
//! - `/authorize?…` validates the request. A bad `client_id` or `redirect_uri` gets an HTML
//!   error page (400) and **no** redirect (RFC 6749 §4.1.2.1); other problems redirect back with
//!   `error=…&error_description=…&state=…`. A valid request is stored server-side under an
//!   opaque ID and shows the sign-in page, or the consent page when a browser session exists.
//!   Allow redirects (302) to `redirect_uri?code=…&state=…`, Deny to
//!   `?error=access_denied&error_description=…&state=…`.
//! - `/device[?user_code=…]` → Next → `/device/confirm` ("Confirm and continue" / "Cancel") →
//!   sign-in if needed → `/device/consent` (Allow / Deny) → a page saying "Request approved" or
//!   "Request denied".
//!
//! The browser session is an `HttpOnly; SameSite=Lax` cookie naming a portal session (also
//! `Secure` when served over HTTPS, as the real portal's cookies are); Logout and revocation end
//! it. Every form carries a CSRF token that must equal the `HttpOnly` CSRF cookie
//! (double-submit): a cross-site page can make the browser send the cookie but cannot read it to
//! fill the field. The post-sign-in destination is restricted to this site's own consent paths,
//! so the form cannot be turned into an open redirect.

mod console;
mod html;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, FromRequest, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use self::html::{Page, escape};
use crate::ids;
use crate::oidc::redirect_matches;
use crate::state::{AppState, Approver, DeviceActionError};
use crate::store::{
    AuthCode, AuthorizationRequest, Client, DeviceGrant, DeviceStatus, Session, StoreError, grant,
};

const SESSION_COOKIE: &str = "sso_emulator_session";
const CSRF_COOKIE: &str = "sso_emulator_csrf";
/// How long a validated `/authorize` request waits for the user (CLI v2 waits 600 s).
const AUTHORIZATION_REQUEST_TTL_MS: i64 = 600_000;

/// The page routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/federation", get(console::federation))
        .route("/console", get(console::console))
        .route("/authorize", get(authorize))
        .route(
            "/authorize/consent",
            get(authorize_consent_page).post(authorize_consent_submit),
        )
        .route("/signin", axum::routing::post(sign_in))
        .route("/device", get(device_entry_page).post(device_entry_submit))
        .route(
            "/device/confirm",
            get(device_confirm_page).post(device_confirm_submit),
        )
        .route(
            "/device/consent",
            get(device_consent_page).post(device_consent_submit),
        )
}

/// `; Secure` when the emulator is served over HTTPS (`--tls`), as IAM Identity Center's own
/// cookies are; nothing over plain HTTP, where a browser may refuse to store a `Secure` cookie.
pub(crate) fn secure_attribute(state: &AppState) -> &'static str {
    match &state.config().base_url {
        Some(origin) if origin.starts_with("https://") => "; Secure",
        _ => "",
    }
}

/// The browser as the request presents it: its CSRF token and signed-in session, if any.
struct Browser {
    csrf: String,
    csrf_is_new: bool,
    /// `; Secure` over HTTPS, else nothing: see [`secure_attribute`].
    secure: &'static str,
    /// `(session ID, session)` of a live sign-in.
    session: Option<(String, Session)>,
}

impl Browser {
    fn from_headers(state: &AppState, headers: &HeaderMap) -> Result<Self, Page> {
        let cookies = cookies(headers);
        let (csrf, csrf_is_new) = match cookies.get(CSRF_COOKIE) {
            Some(value) if value.len() >= 32 => (value.clone(), false),
            _ => (ids::opaque(), true),
        };
        let session = match cookies.get(SESSION_COOKIE) {
            Some(id) => {
                let now = state.now_ms();
                state
                    .store()
                    .read(|tx| tx.get::<Session>(id))
                    .map_err(|error| internal(&error))?
                    .filter(|session| session.is_live(now))
                    .map(|session| (id.clone(), session))
            }
            None => None,
        };
        Ok(Self {
            csrf,
            csrf_is_new,
            secure: secure_attribute(state),
            session,
        })
    }

    /// A page from this browser's point of view: sets the CSRF cookie if it was just made.
    fn page(&self, status: StatusCode, title: &str, main: String) -> Page {
        let mut page = Page::new(status, title, main);
        if self.csrf_is_new {
            page.cookies.push(format!(
                "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{}",
                self.csrf, self.secure
            ));
        }
        page
    }

    fn sign_in_page(&self, continue_to: &str, purpose: &str, error: Option<&str>) -> Page {
        self.page(
            StatusCode::OK,
            "Sign in",
            html::sign_in_form(&self.csrf, continue_to, purpose, error),
        )
    }

    /// Whether a submitted form carries this browser's CSRF token.
    fn check_csrf(&self, form: &HashMap<String, String>) -> Result<(), Page> {
        let submitted = form.get("csrf").map(String::as_str).unwrap_or_default();
        if self.csrf_is_new || submitted != self.csrf {
            return Err(Page::error(
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not submitted from this site, or it has expired. Go back, reload the page and try again.",
            ));
        }
        Ok(())
    }
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

fn internal(error: &StoreError) -> Page {
    tracing::error!(%error, "page failed on the state database");
    Page::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal error",
        "The emulator could not read or write its state; see its log.",
    )
}

/// A form body; anything undecodable is a 400 page.
struct FormFields(HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = Page;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Form::<HashMap<String, String>>::from_request(request, state)
            .await
            .map(|Form(fields)| Self(fields))
            .map_err(|_| {
                Page::error(
                    StatusCode::BAD_REQUEST,
                    "Bad request",
                    "The form could not be read.",
                )
            })
    }
}

fn query(uri: &Uri) -> HashMap<String, String> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|Query(map)| map)
        .unwrap_or_default()
}

/// `302 Found` to `base?params` (the redirect URI has no query of its own: registration only
/// accepts `http://127.0.0.1[:port]/oauth/callback`).
fn redirect_with(base: &str, params: &[(&str, &str)]) -> Response {
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", ids::percent_encode(value)))
        .collect();
    let location = format!("{base}?{}", query.join("&"));
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => Page::error(
            StatusCode::BAD_REQUEST,
            "Invalid redirect URI",
            "The redirect URI cannot be used in a Location header.",
        )
        .into_response(),
    }
}

/// `303 See Other` within the site (after a POST).
fn see_other(path: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(path) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// An error redirect back to the client (RFC 6749 §4.1.2.1).
fn error_redirect(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_with(redirect_uri, &params)
}

/// `GET /`: a landing page saying who is signed in.
async fn index(State(state): State<AppState>, headers: HeaderMap) -> Result<Page, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    let who = match &browser.session {
        Some((_, session)) => format!(
            "<p>Signed in as <strong id=\"signed-in-user\">{}</strong>.</p>\n",
            escape(&session.user)
        ),
        None => "<p>Not signed in. Sign-in happens when an application asks for access.</p>\n"
            .to_owned(),
    };
    Ok(browser.page(
        StatusCode::OK,
        "AWS access portal",
        format!(
            "{who}<p>Start URL: <code>{}</code>, region <code>{}</code>.</p>\n\
             <p><a href=\"/device\">Enter a device code</a></p>\n",
            escape(state.directory().start_url()),
            escape(state.directory().region()),
        ),
    ))
}

/// `GET /authorize`.
async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Page> {
    let params = Query::<HashMap<String, String>>::try_from_uri(&uri)
        .map(|Query(map)| map)
        .map_err(|_| {
            Page::error(
                StatusCode::BAD_REQUEST,
                "Invalid request",
                "The authorization request could not be decoded.",
            )
        })?;
    let param = |name: &str| params.get(name).map(String::as_str);

    // Without a trustworthy client and redirect URI there is nowhere safe to send an error:
    // show it here instead (RFC 6749 §4.1.2.1).
    let invalid_client = |why: &str| Page::error(StatusCode::BAD_REQUEST, "Invalid client", why);
    let Some(client_id) = param("client_id").filter(|id| !id.is_empty()) else {
        return Err(invalid_client("The request has no client_id."));
    };
    let client = state
        .client(client_id)
        .map_err(|error| internal(&error))?
        .ok_or_else(|| invalid_client("The client_id is not registered with this instance."))?;
    if state.now_ms() >= client.expires_at_ms {
        return Err(invalid_client(
            "The client registration has expired. Register the client again.",
        ));
    }
    let redirect_uri = param("redirect_uri").unwrap_or_default();
    if !redirect_matches(&client.redirect_uris, redirect_uri) {
        return Err(Page::error(
            StatusCode::BAD_REQUEST,
            "Invalid redirect URI",
            "The redirect_uri is missing or does not match a redirect URI registered for this client.",
        ));
    }

    // From here on, errors go back to the client.
    let client_state = param("state");
    let fail = |error: &str, description: &str| {
        Ok(error_redirect(
            redirect_uri,
            error,
            description,
            client_state,
        ))
    };
    if !client.allows(grant::AUTHORIZATION_CODE) {
        return fail(
            "unauthorized_client",
            "The client is not registered for the authorization_code grant",
        );
    }
    if param("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    if param("code_challenge_method") != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let challenge = param("code_challenge").unwrap_or_default();
    let bare = challenge.trim_end_matches('=');
    if bare.len() != 43
        || !bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return fail(
            "invalid_request",
            "code_challenge must be the 43-character base64url SHA-256 of the code verifier",
        );
    }
    // `scopes` is the non-standard name CLI v2 uses; `scope` is accepted too. Space-separated
    // (CLI v2) or comma-joined (VS Code), §10.1.
    let requested: Vec<String> = param("scopes")
        .or_else(|| param("scope"))
        .unwrap_or_default()
        .split([' ', ','])
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(scope) = requested.iter().find(|s| !client.scopes.contains(s)) {
        return fail(
            "invalid_scope",
            &format!("The scope {scope} was not registered for this client"),
        );
    }
    let scopes = if requested.is_empty() {
        client.scopes.clone()
    } else {
        requested
    };

    let request_id = ids::opaque();
    let request = AuthorizationRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: client_state.map(str::to_owned),
        code_challenge: challenge.to_owned(),
        scopes,
        expires_at_ms: state.now_ms() + AUTHORIZATION_REQUEST_TTL_MS,
        completed: false,
    };

    if let Some(user) = &state.config().auto_approve {
        // Approve without a browser (`--auto-approve`): straight back to the client.
        let code = state
            .store()
            .write(|tx| {
                let session_id = state.new_session(tx, user)?;
                issue_code(&state, tx, &request, &session_id)
            })
            .map_err(|error| internal(&error))?;
        return Ok(code_redirect(&request, &code));
    }

    state
        .store()
        .write(|tx| tx.put(&request_id, &request))
        .map_err(|error| internal(&error))?;
    let browser = Browser::from_headers(&state, &headers)?;
    let continue_to = format!("/authorize/consent?request={request_id}");
    match &browser.session {
        Some((_, session)) => {
            Ok(authorize_consent(&browser, &request_id, &client, session).into_response())
        }
        None => Ok(browser
            .sign_in_page(
                &continue_to,
                &format!(
                    "Sign in to allow {} to access your AWS accounts.",
                    client.client_name
                ),
                None,
            )
            .into_response()),
    }
}

fn authorize_consent(
    browser: &Browser,
    request_id: &str,
    client: &Client,
    session: &Session,
) -> Page {
    browser.page(
        StatusCode::OK,
        "Allow access?",
        html::consent_form(
            &browser.csrf,
            "/authorize/consent",
            &[("request", request_id)],
            &client.client_name,
            &session.user,
            "",
        ),
    )
}

/// Stores a one-time authorization code for `request` and returns it.
fn issue_code(
    state: &AppState,
    tx: &crate::store::Writer,
    request: &AuthorizationRequest,
    session_id: &str,
) -> Result<String, StoreError> {
    let code = ids::auth_code();
    tx.put(
        &code,
        &AuthCode {
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            scopes: request.scopes.clone(),
            session_id: session_id.to_owned(),
            expires_at_ms: state.now_ms() + state.config().lifetimes.auth_code * 1000,
            used: false,
        },
    )?;
    Ok(code)
}

fn code_redirect(request: &AuthorizationRequest, code: &str) -> Response {
    let mut params = vec![("code", code)];
    if let Some(state) = &request.state {
        params.push(("state", state.as_str()));
    }
    redirect_with(&request.redirect_uri, &params)
}

/// A stored authorization request that can still be answered.
fn open_request(
    state: &AppState,
    request_id: &str,
) -> Result<(AuthorizationRequest, Client), Page> {
    let now = state.now_ms();
    let found = state
        .store()
        .read(|tx| {
            let Some(request) = tx.get::<AuthorizationRequest>(request_id)? else {
                return Ok(None);
            };
            Ok(tx
                .get::<Client>(&request.client_id)?
                .map(|client| (request, client)))
        })
        .map_err(|error| internal(&error))?;
    match found {
        Some((request, client)) if !request.completed && now < request.expires_at_ms => {
            Ok((request, client))
        }
        _ => Err(request_gone()),
    }
}

/// The page for an authorization request that expired or was already answered.
fn request_gone() -> Page {
    Page::error(
        StatusCode::BAD_REQUEST,
        "Request expired",
        "This authorization request has expired or was already answered. Start the sign-in again from the application.",
    )
}

/// What a consent form asks for, once its CSRF token checked out.
enum Consent<'a> {
    /// Allow (`true`) or Deny, by this browser session.
    Answer { session_id: &'a str, allow: bool },
    /// The session ended meanwhile: sign in again, then come back.
    SignInAgain(Response),
}

/// The common part of both consent forms: CSRF, a live session, and an Allow/Deny choice.
fn read_consent<'a>(
    browser: &'a Browser,
    form: &HashMap<String, String>,
    continue_to: &str,
) -> Result<Consent<'a>, Page> {
    browser.check_csrf(form)?;
    let Some((session_id, _)) = &browser.session else {
        return Ok(Consent::SignInAgain(
            browser
                .sign_in_page(
                    continue_to,
                    "Your session has ended. Sign in again to continue.",
                    None,
                )
                .into_response(),
        ));
    };
    let allow = match form.get("decision").map(String::as_str) {
        Some("allow") => true,
        Some("deny") => false,
        _ => {
            return Err(Page::error(
                StatusCode::BAD_REQUEST,
                "Bad request",
                "Choose Allow or Deny.",
            ));
        }
    };
    Ok(Consent::Answer { session_id, allow })
}

/// `GET /authorize/consent?request=…` (after sign-in).
async fn authorize_consent_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Page, Page> {
    let request_id = query(&uri).remove("request").unwrap_or_default();
    let browser = Browser::from_headers(&state, &headers)?;
    let (_, client) = open_request(&state, &request_id)?;
    match &browser.session {
        Some((_, session)) => Ok(authorize_consent(&browser, &request_id, &client, session)),
        None => Ok(browser.sign_in_page(
            &format!(
                "/authorize/consent?request={}",
                ids::percent_encode(&request_id)
            ),
            &format!(
                "Sign in to allow {} to access your AWS accounts.",
                client.client_name
            ),
            None,
        )),
    }
}

/// `POST /authorize/consent`: Allow or Deny.
async fn authorize_consent_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormFields(form): FormFields,
) -> Result<Response, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    let request_id = form.get("request").cloned().unwrap_or_default();
    let continue_to = format!(
        "/authorize/consent?request={}",
        ids::percent_encode(&request_id)
    );
    let (session_id, allow) = match read_consent(&browser, &form, &continue_to)? {
        Consent::Answer { session_id, allow } => (session_id, allow),
        Consent::SignInAgain(response) => return Ok(response),
    };
    let now = state.now_ms();
    // Mark the request answered and issue the code in one transaction, so a double-submitted
    // form cannot mint two codes.
    let outcome = state
        .store()
        .write(|tx| {
            let Some(mut request) = tx.get::<AuthorizationRequest>(&request_id)? else {
                return Ok(None);
            };
            if request.completed || now >= request.expires_at_ms {
                return Ok(None);
            }
            request.completed = true;
            tx.put(&request_id, &request)?;
            let code = if allow {
                Some(issue_code(&state, tx, &request, session_id)?)
            } else {
                None
            };
            Ok(Some((request, code)))
        })
        .map_err(|error| internal(&error))?;
    match outcome {
        None => Err(request_gone()),
        Some((request, Some(code))) => Ok(code_redirect(&request, &code)),
        Some((request, None)) => Ok(error_redirect(
            &request.redirect_uri,
            "access_denied",
            "The user denied the authorization request",
            request.state.as_deref(),
        )),
    }
}

/// Where sign-in may continue to: only this site's consent pages.
fn safe_continue(target: &str) -> Option<&str> {
    let allowed = ["/authorize/consent?", "/device/consent?"];
    (allowed.iter().any(|prefix| target.starts_with(prefix))
        && !target.contains(['\r', '\n', '\\']))
    .then_some(target)
}

/// `POST /signin`.
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormFields(form): FormFields,
) -> Result<Response, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    browser.check_csrf(&form)?;
    let continue_to = form
        .get("continue")
        .and_then(|target| safe_continue(target))
        .unwrap_or("/")
        .to_owned();
    let username = form.get("username").map(String::as_str).unwrap_or_default();
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    if !state.directory().check_password(username, password) {
        return Ok(browser
            .sign_in_page(
                &continue_to,
                "Sign in to continue.",
                Some("Incorrect username or password."),
            )
            .into_response());
    }
    let session_id = state
        .store()
        .write(|tx| state.new_session(tx, username))
        .map_err(|error| internal(&error))?;
    let mut response = see_other(&continue_to);
    let cookie = format!(
        "{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        state.config().lifetimes.session,
        secure_attribute(&state)
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// A device grant that the pages can still act on, by user code.
fn pending_device(
    state: &AppState,
    user_code: &str,
) -> Result<Option<(String, DeviceGrant)>, Page> {
    let now = state.now_ms();
    Ok(state
        .device_by_user_code(user_code)
        .map_err(|error| internal(&error))?
        .filter(|(_, grant)| grant.status == DeviceStatus::Pending && now < grant.expires_at_ms))
}

fn client_name(state: &AppState, client_id: &str) -> Result<String, Page> {
    Ok(state
        .client(client_id)
        .map_err(|error| internal(&error))?
        .map_or_else(|| "An application".to_owned(), |client| client.client_name))
}

const INVALID_CODE: &str =
    "That code is not valid, has expired, or was already used. Check the code and try again.";

fn code_entry(browser: &Browser, prefill: &str, error: Option<&str>) -> Page {
    browser.page(
        StatusCode::OK,
        "Authorize request",
        html::code_entry_form(&browser.csrf, prefill, error),
    )
}

fn done(browser: &Browser, approved: bool) -> Page {
    if approved {
        browser.page(
            StatusCode::OK,
            "Request approved",
            "<p id=\"result\">Request approved. You can close this window and return to the application.</p>\n"
                .to_owned(),
        )
    } else {
        browser.page(
            StatusCode::OK,
            "Request denied",
            "<p id=\"result\">Request denied. The application was not given access. You can close this window.</p>\n"
                .to_owned(),
        )
    }
}

/// `GET /device[?user_code=…]`: the code entry page (pre-filled from `verificationUriComplete`).
async fn device_entry_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Page, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    let prefill = query(&uri).remove("user_code").unwrap_or_default();
    Ok(code_entry(&browser, &prefill, None))
}

/// `POST /device`: Next.
async fn device_entry_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormFields(form): FormFields,
) -> Result<Response, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    browser.check_csrf(&form)?;
    let typed = form.get("user_code").cloned().unwrap_or_default();
    match pending_device(&state, &typed)? {
        Some((_, grant)) => Ok(see_other(&format!(
            "/device/confirm?user_code={}",
            ids::percent_encode(&grant.user_code)
        ))),
        None => Ok(code_entry(&browser, &typed, Some(INVALID_CODE)).into_response()),
    }
}

/// `GET /device/confirm?user_code=…`.
async fn device_confirm_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Page, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    let typed = query(&uri).remove("user_code").unwrap_or_default();
    let Some((_, grant)) = pending_device(&state, &typed)? else {
        return Ok(code_entry(&browser, &typed, Some(INVALID_CODE)));
    };
    let name = client_name(&state, &grant.client_id)?;
    Ok(browser.page(
        StatusCode::OK,
        "Confirm the code",
        html::confirm_form(&browser.csrf, &grant.user_code, &name),
    ))
}

/// `POST /device/confirm`: Confirm and continue, or Cancel.
async fn device_confirm_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormFields(form): FormFields,
) -> Result<Response, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    browser.check_csrf(&form)?;
    let typed = form.get("user_code").cloned().unwrap_or_default();
    let Some((_, grant)) = pending_device(&state, &typed)? else {
        return Ok(code_entry(&browser, &typed, Some(INVALID_CODE)).into_response());
    };
    match form.get("action").map(String::as_str) {
        Some("cancel") => {
            device_decision(&state, &grant.user_code, None)?;
            Ok(done(&browser, false).into_response())
        }
        Some("confirm") => {
            let consent = format!(
                "/device/consent?user_code={}",
                ids::percent_encode(&grant.user_code)
            );
            if browser.session.is_some() {
                Ok(see_other(&consent))
            } else {
                let name = client_name(&state, &grant.client_id)?;
                Ok(browser
                    .sign_in_page(
                        &consent,
                        &format!("Sign in to allow {name} to access your AWS accounts."),
                        None,
                    )
                    .into_response())
            }
        }
        _ => Err(Page::error(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "Choose Confirm and continue, or Cancel.",
        )),
    }
}

/// `GET /device/consent?user_code=…`.
async fn device_consent_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Page, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    let typed = query(&uri).remove("user_code").unwrap_or_default();
    let Some((_, grant)) = pending_device(&state, &typed)? else {
        return Ok(code_entry(&browser, &typed, Some(INVALID_CODE)));
    };
    let name = client_name(&state, &grant.client_id)?;
    let Some((_, session)) = &browser.session else {
        return Ok(browser.sign_in_page(
            &format!(
                "/device/consent?user_code={}",
                ids::percent_encode(&grant.user_code)
            ),
            &format!("Sign in to allow {name} to access your AWS accounts."),
            None,
        ));
    };
    Ok(browser.page(
        StatusCode::OK,
        "Allow access?",
        html::consent_form(
            &browser.csrf,
            "/device/consent",
            &[("user_code", &grant.user_code)],
            &name,
            &session.user,
            &format!(
                "<p>Code: <code id=\"code\">{}</code></p>\n",
                escape(&grant.user_code)
            ),
        ),
    ))
}

/// `POST /device/consent`: Allow or Deny.
async fn device_consent_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormFields(form): FormFields,
) -> Result<Response, Page> {
    let browser = Browser::from_headers(&state, &headers)?;
    let typed = form.get("user_code").cloned().unwrap_or_default();
    let continue_to = format!("/device/consent?user_code={}", ids::percent_encode(&typed));
    let (session_id, approve) = match read_consent(&browser, &form, &continue_to)? {
        Consent::Answer { session_id, allow } => (session_id, allow),
        Consent::SignInAgain(response) => return Ok(response),
    };
    device_decision(&state, &typed, approve.then_some(session_id))?;
    Ok(done(&browser, approve).into_response())
}

/// Approves (for a session) or denies (`None`) a device code, as a page result.
fn device_decision(state: &AppState, user_code: &str, session: Option<&str>) -> Result<(), Page> {
    let result = match session {
        Some(session_id) => state.approve_device_as(user_code, Approver::Session(session_id)),
        None => state.deny_device_code(user_code),
    };
    match result {
        Ok(()) => Ok(()),
        Err(DeviceActionError::Store(error)) => Err(internal(&error)),
        Err(_) => Err(Page::error(
            StatusCode::BAD_REQUEST,
            "Code no longer valid",
            INVALID_CODE,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_targets_stay_on_site() {
        let cases = [
            ("/authorize/consent?request=abc", true),
            ("/device/consent?user_code=BCDF-GHJK", true),
            ("https://evil.example/", false),
            ("//evil.example/authorize/consent?", false),
            ("/device/consent?x\r\nSet-Cookie: a=b", false),
            ("/", false),
        ];
        for (target, allowed) in cases {
            assert_eq!(safe_continue(target).is_some(), allowed, "{target}");
        }
    }

    #[test]
    fn cookie_header_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sso_emulator_session=xyz ; b=2=3"),
        );
        let parsed = cookies(&headers);
        assert_eq!(parsed["sso_emulator_session"], "xyz");
        assert_eq!(parsed["b"], "2=3");
    }
}
