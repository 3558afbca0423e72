//! PKCE (RFC 7636) and the `/authorize` URL, exactly as AWS CLI v2 builds them
//! (spec cli-behavior §3.6): a 64-character verifier from the unreserved set, an S256 challenge
//! without padding, a UUIDv4 `state`, and the query parameters in the CLI's order with only
//! `A-Za-z0-9-._~` left unescaped.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sso_core::Secret;

/// The characters a code verifier is drawn from (RFC 7636 `unreserved`).
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// One login attempt's PKCE secrets and `state`.
#[derive(Debug)]
pub struct PkceChallenge {
    /// The code verifier, sent only to `CreateToken`.
    pub verifier: Secret<String>,
    /// `base64url(sha256(verifier))` without padding.
    pub challenge: String,
    /// The `state` the callback must echo.
    pub state: String,
}

impl PkceChallenge {
    /// Fresh random values from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes)?;
        // 66 divides 256 unevenly, so reject bytes past the last whole multiple to keep the
        // draw uniform, as Python's `secrets.choice` is.
        let limit = 256 - (256 % UNRESERVED.len());
        let mut verifier = String::with_capacity(64);
        while verifier.len() < 64 {
            for &byte in &bytes {
                if usize::from(byte) < limit && verifier.len() < 64 {
                    verifier.push(char::from(UNRESERVED[usize::from(byte) % UNRESERVED.len()]));
                }
            }
            getrandom::fill(&mut bytes)?;
        }
        let mut uuid = [0u8; 16];
        getrandom::fill(&mut uuid)?;
        Ok(Self {
            challenge: challenge_for(&verifier),
            verifier: Secret::new(verifier),
            // The OS CSPRNG or nothing: a guessable `state` would defeat its purpose.
            state: sso_client::format_uuid4(uuid),
        })
    }
}

/// The S256 challenge of a verifier.
pub fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Percent-encodes everything but `A-Za-z0-9-._~` (Python `quote(safe='')` on UTF-8).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The browser URL of the authorization request. AWS CLI v2 uses only the scheme and
/// authority of the OIDC endpoint (any path is dropped), and names the scope parameter
/// `scopes`, space-separated.
pub fn authorize_url(
    oidc_endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    pkce: &PkceChallenge,
    scopes: &[String],
) -> String {
    let origin = origin_of(oidc_endpoint);
    let scopes = if scopes.is_empty() {
        "sso:account:access".to_owned()
    } else {
        scopes.join(" ")
    };
    format!(
        "{origin}/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge_method=S256&scopes={}&code_challenge={}",
        percent_encode(client_id),
        percent_encode(redirect_uri),
        percent_encode(&pkce.state),
        percent_encode(&scopes),
        percent_encode(&pkce.challenge),
    )
}

/// `scheme://authority` of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find(['/', '?', '#']) {
        Some(end) => &url[..after_scheme + end],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_values_have_the_cli_shape() {
        let pkce = PkceChallenge::generate().unwrap();
        let verifier = pkce.verifier.expose();
        assert_eq!(verifier.len(), 64);
        assert!(verifier.bytes().all(|b| UNRESERVED.contains(&b)));
        assert_eq!(pkce.challenge.len(), 43);
        assert_eq!(pkce.challenge, challenge_for(verifier));
        assert_eq!(pkce.state.len(), 36);
        assert_eq!(&pkce.state[14..15], "4");
        assert!(!format!("{pkce:?}").contains(verifier.as_str()));
        let other = PkceChallenge::generate().unwrap();
        assert_ne!(other.verifier.expose(), verifier);
        assert_ne!(other.state, pkce.state);
    }

    #[test]
    fn authorize_url_matches_the_observed_cli_url() {
        let pkce = PkceChallenge {
            verifier: Secret::new("v".repeat(64)),
            challenge: "T-a07JDPUrxvV1s1Dr_xhrJ9je8ar3dGV0KPRThLHnI".into(),
            state: "cbfca362-a8dd-45f7-8f8b-e7a9d16f313a".into(),
        };
        // Observed in spec cli-behavior §3.6.
        assert_eq!(
            authorize_url(
                "https://oidc.us-east-1.amazonaws.com",
                "cid-123",
                "http://127.0.0.1:38355/oauth/callback",
                &pkce,
                &[]
            ),
            "https://oidc.us-east-1.amazonaws.com/authorize?response_type=code&client_id=cid-123&redirect_uri=http%3A%2F%2F127.0.0.1%3A38355%2Foauth%2Fcallback&state=cbfca362-a8dd-45f7-8f8b-e7a9d16f313a&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=T-a07JDPUrxvV1s1Dr_xhrJ9je8ar3dGV0KPRThLHnI"
        );
        let url = authorize_url(
            "http://127.0.0.1:9/prefix/",
            "c",
            "r",
            &pkce,
            &[
                "sso:account:access".into(),
                "codewhisperer:completions".into(),
            ],
        );
        assert!(url.starts_with("http://127.0.0.1:9/authorize?"), "{url}");
        assert!(url.contains("&scopes=sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions&"));
    }

    #[test]
    fn uuid_sets_version_and_variant_bits() {
        assert_eq!(
            sso_client::format_uuid4([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(
            sso_client::format_uuid4([0; 16]),
            "00000000-0000-4000-8000-000000000000"
        );
    }
}
