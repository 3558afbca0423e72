//! HTML rendering for the browser pages: one layout, the few forms, and escaping.
//!
//! Pages are plain, accessible HTML (a `lang`, a `<title>`, one `<h1>`, every input with a
//! `<label for>`), need no JavaScript, and carry the element IDs browser tests rely on
//! (`username`, `password`, `user_code`; buttons `sign-in`, `next`, `confirm`, `cancel`,
//! `allow`, `deny`). Everything interpolated is escaped — client names come from whoever
//! called `RegisterClient`. Hand-written `format!` templates: five small pages do not pay for
//! a template engine's build time.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#16191f}\
header{border-bottom:1px solid #d5dbdb;margin-bottom:1rem}\
label{font-weight:600}\
input[type=text],input[type=password]{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}\
button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem;border-radius:.25rem;border:1px solid #545b64;background:#fff}\
#allow,#sign-in,#next,#confirm{background:#ff9900;border-color:#ec7211;color:#16191f;font-weight:600}\
.error{color:#d13212;font-weight:600}\
code{font-size:1.4rem;letter-spacing:.1rem}";

/// A rendered page plus the cookies it sets.
#[derive(Debug)]
pub(super) struct Page {
    pub(super) status: StatusCode,
    pub(super) title: String,
    pub(super) main: String,
    pub(super) cookies: Vec<String>,
}

impl Page {
    pub(super) fn new(status: StatusCode, title: &str, main: String) -> Self {
        Self {
            status,
            title: title.to_owned(),
            main,
            cookies: Vec::new(),
        }
    }

    /// An error page: no redirect, just the explanation.
    pub(super) fn error(status: StatusCode, title: &str, message: &str) -> Self {
        Self::new(
            status,
            title,
            format!(
                "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>\n",
                escape(message)
            ),
        )
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let title = escape(&self.title);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title} - AWS access portal (sso-emulator)</title>\n<style>{STYLE}</style>\n\
             </head>\n<body>\n<header><p>AWS access portal <small>(sso-emulator)</small></p></header>\n\
             <main>\n<h1>{title}</h1>\n{main}</main>\n</body>\n</html>\n",
            main = self.main
        );
        let mut response = (self.status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        for cookie in self.cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
        response
    }
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
        escape(value)
    )
}

fn error_line(error: Option<&str>) -> String {
    error.map_or_else(String::new, |message| {
        format!(
            "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>\n",
            escape(message)
        )
    })
}

/// The sign-in form; `continue_to` is where to go after a successful sign-in.
pub(super) fn sign_in_form(
    csrf: &str,
    continue_to: &str,
    purpose: &str,
    error: Option<&str>,
) -> String {
    format!(
        "<p>{purpose}</p>\n{error}<form method=\"post\" action=\"/signin\">\n{csrf}{continue_to}\
         <p><label for=\"username\">Username</label><br>\n\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus></p>\n\
         <p><label for=\"password\">Password</label><br>\n\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required></p>\n\
         <p><button type=\"submit\" id=\"sign-in\">Sign in</button></p>\n</form>\n",
        purpose = escape(purpose),
        error = error_line(error),
        csrf = hidden("csrf", csrf),
        continue_to = hidden("continue", continue_to),
    )
}

/// The consent form: Allow / Deny submit buttons named `decision`.
pub(super) fn consent_form(
    csrf: &str,
    action: &str,
    fields: &[(&str, &str)],
    client_name: &str,
    user: &str,
    details: &str,
) -> String {
    let hidden_fields: String = fields
        .iter()
        .map(|(name, value)| hidden(name, value))
        .collect();
    format!(
        "<p><strong id=\"client-name\">{client}</strong> is requesting access to your AWS accounts and roles.</p>\n\
         {details}<p>Signed in as <strong id=\"signed-in-user\">{user}</strong>.</p>\n\
         <form method=\"post\" action=\"{action}\">\n{csrf}{hidden_fields}\
         <p><button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></p>\n</form>\n",
        client = escape(client_name),
        user = escape(user),
        csrf = hidden("csrf", csrf),
    )
}

/// The device code entry form.
pub(super) fn code_entry_form(csrf: &str, prefill: &str, error: Option<&str>) -> String {
    format!(
        "<p>Enter the code shown by the application that asked you to sign in.</p>\n{error}\
         <form method=\"post\" action=\"/device\">\n{csrf}\
         <p><label for=\"user_code\">Code</label><br>\n\
         <input type=\"text\" id=\"user_code\" name=\"user_code\" value=\"{prefill}\" autocomplete=\"off\" \
         autocapitalize=\"characters\" spellcheck=\"false\" required autofocus></p>\n\
         <p><button type=\"submit\" id=\"next\">Next</button></p>\n</form>\n",
        error = error_line(error),
        csrf = hidden("csrf", csrf),
        prefill = escape(prefill),
    )
}

/// The "does this code match?" confirmation form.
pub(super) fn confirm_form(csrf: &str, user_code: &str, client_name: &str) -> String {
    format!(
        "<p>Check that this code matches the one shown by <strong id=\"client-name\">{client}</strong>:</p>\n\
         <p><code id=\"code\">{code}</code></p>\n\
         <form method=\"post\" action=\"/device/confirm\">\n{csrf}{user_code}\
         <p><button type=\"submit\" id=\"confirm\" name=\"action\" value=\"confirm\">Confirm and continue</button>\n\
         <button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\">Cancel</button></p>\n</form>\n",
        client = escape(client_name),
        code = escape(user_code),
        csrf = hidden("csrf", csrf),
        user_code = hidden("user_code", user_code),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn sign_in_form_has_the_contract_ids() {
        let html = sign_in_form("tok", "/device/consent?user_code=A", "Sign in", None);
        for needle in [
            "id=\"username\" name=\"username\"",
            "id=\"password\" name=\"password\"",
            "<label for=\"username\">",
            "<label for=\"password\">",
            "id=\"sign-in\">Sign in</button>",
            "name=\"csrf\" value=\"tok\"",
        ] {
            assert!(html.contains(needle), "missing {needle} in {html}");
        }
    }
}
