//! Identifier and secret formats: client IDs and secrets, access and refresh tokens, device
//! and user codes, auth codes, role credentials, request IDs — plus the PKCE S256 transform and
//! the one URL encoder the redirects need.
//!
//! Formats copy what the real service emits (`wire-protocol.md` §9.1, §9.7), so clients meet
//! the same awkward characters: access tokens contain `:`, `/`, `+` and `=` and are sent raw in
//! a header. Every secret comes from the OS random source; nothing here is seeded, so `--seed`
//! can never make a token guessable. Tokens carry no meaning of their own: they are keys of
//! server-side records, which is what makes them unforgeable.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// `N` bytes from the OS random source.
pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0_u8; N];
    // getrandom only fails when the OS has no entropy source at all (no getrandom(2), no
    // /dev/urandom), in which case no token this emulator issues could be trusted anyway.
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes
}

fn url64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An opaque unguessable identifier (32 random bytes, base64url): session IDs, cookies,
/// authorization-request IDs, pagination tokens.
pub(crate) fn opaque() -> String {
    url64(&random::<32>())
}

/// A pagination cursor: [`opaque`], but never starting with `-` (as real tokens never do), so a
/// CLI that parses `--next-token TOKEN` with argparse does not take it for an option.
pub(crate) fn cursor() -> String {
    loop {
        let token = opaque();
        if !token.starts_with('-') {
            return token;
        }
    }
}

/// `clientId`: base64url of 16 random bytes followed by the ASCII region, as the real service
/// does (`…VzLWVhc3QtMQ` for us-east-1).
pub(crate) fn client_id(region: &str) -> String {
    let mut bytes = random::<16>().to_vec();
    bytes.extend_from_slice(region.as_bytes());
    url64(&bytes)
}

/// `clientSecret`: a compact JWS shaped like the real one (header
/// `{"kid":"key-…","alg":"HS384"}`, a payload serialising the registration, a 48-byte
/// signature). Clients must treat it as opaque; the emulator only compares it.
pub(crate) fn client_secret(
    client_id: &str,
    client_name: &str,
    issued_at: i64,
    expires_at: i64,
) -> String {
    let header = serde_json::json!({"kid": "key-1564028099", "alg": "HS384"});
    let serialized = serde_json::json!({
        "clientId": {"value": client_id},
        "clientName": client_name,
        "clientType": "PUBLIC",
        "createdTimestamp": issued_at,
        "expirationTimestamp": expires_at,
        "isExpired": false,
        "nonce": url64(&random::<16>()),
    });
    let payload = serde_json::json!({"serialized": serialized.to_string()});
    format!(
        "{}.{}.{}",
        url64(header.to_string().as_bytes()),
        url64(payload.to_string().as_bytes()),
        url64(&random::<48>())
    )
}

/// A bearer token: `prefix` + base64url(32 bytes) + `:` + base64(64 bytes). Always contains `/`,
/// `+` and `=` besides the `:`, like real `aoa…`/`aor…` tokens, so a client that mangles them
/// (URL-decoding `+` to a space, say) fails against the emulator too.
fn bearer(prefix: &str) -> String {
    loop {
        let signature = STANDARD.encode(random::<64>());
        // 64 bytes always end in `==`; about 40% of draws lack `/` or `+` and are redrawn.
        if signature.contains('/') && signature.contains('+') {
            return format!("{prefix}{}:{signature}", url64(&random::<32>()));
        }
    }
}

/// An access token (`aoa…`).
pub(crate) fn access_token() -> String {
    bearer("aoa")
}

/// A refresh token (`aor…`).
pub(crate) fn refresh_token() -> String {
    bearer("aor")
}

/// `deviceCode`: 86 characters of unpadded base64url (64 random bytes), as on the real service.
pub(crate) fn device_code() -> String {
    url64(&random::<64>())
}

/// The RFC 8628 consonant alphabet every real user code was drawn from.
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// `userCode`: `XXXX-XXXX` from the consonant alphabet.
pub(crate) fn user_code() -> String {
    let mut code = String::with_capacity(9);
    while code.len() < 9 {
        for byte in random::<16>() {
            // 240 = 12 × 20: rejecting the top 16 values keeps the draw uniform.
            if byte >= 240 || code.len() == 9 {
                continue;
            }
            if code.len() == 4 {
                code.push('-');
            }
            code.push(char::from(USER_CODE_ALPHABET[usize::from(byte % 20)]));
        }
    }
    code
}

/// Canonical form of a user code typed by a person: case-insensitive, with or without the dash
/// or spaces (`wire-protocol.md` §9.1). `None` if it cannot be a user code.
pub(crate) fn normalize_user_code(text: &str) -> Option<String> {
    let letters: String = text
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if letters.len() != 8 || !letters.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(format!("{}-{}", &letters[..4], &letters[4..]))
}

/// An authorization code (one-time, short-lived).
pub(crate) fn auth_code() -> String {
    url64(&random::<48>())
}

/// A UUID v4 string, for `x-amzn-RequestId`.
pub(crate) fn uuid_v4() -> String {
    let mut bytes = random::<16>();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Role credentials: an `ASIA…` key ID (temporary credentials), a 40-character secret and a
/// session token shaped like STS's (`IQoJb3JpZ2luX2Vj…`).
pub(crate) fn role_credentials() -> (String, String, String) {
    const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let key_id: String = random::<16>()
        .iter()
        .map(|b| char::from(BASE32[usize::from(b % 32)]))
        .collect();
    let secret: String = STANDARD.encode(random::<30>());
    let token = format!("IQoJb3JpZ2luX2Vj{}", STANDARD.encode(random::<300>()));
    (format!("ASIA{key_id}"), secret, token)
}

/// Lower-case hex SHA-256, for keeping a digest of a secret instead of the secret.
pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// PKCE S256: `BASE64URL(SHA256(ASCII(verifier)))` without padding (RFC 7636 §4.2).
pub(crate) fn pkce_s256(verifier: &str) -> String {
    url64(&Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636 §4.1: a verifier is 43..=128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Percent-encodes everything but RFC 3986 unreserved characters, for query values in the
/// redirects the emulator builds (codes, `state`, error descriptions). A dozen lines do not
/// justify a dependency.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_ends_with_the_region() {
        let id = client_id("us-east-1");
        assert_eq!(id.len(), 34);
        assert!(id.ends_with("VzLWVhc3QtMQ"), "{id}");
        let decoded = URL_SAFE_NO_PAD.decode(&id).unwrap();
        assert_eq!(&decoded[16..], b"us-east-1");
        assert_ne!(client_id("us-east-1"), id);
    }

    #[test]
    fn bearer_tokens_have_awkward_characters() {
        for _ in 0..50 {
            let token = access_token();
            assert!(token.starts_with("aoa"));
            for c in [':', '/', '+', '='] {
                assert!(token.contains(c), "{token} lacks {c}");
            }
            assert!(refresh_token().starts_with("aor"));
        }
    }

    #[test]
    fn device_and_user_code_formats() {
        assert_eq!(device_code().len(), 86);
        for _ in 0..50 {
            let code = user_code();
            assert_eq!(code.len(), 9);
            assert_eq!(code.as_bytes()[4], b'-');
            assert!(
                code.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| USER_CODE_ALPHABET.contains(&b)),
                "{code}"
            );
        }
    }

    #[test]
    fn user_codes_normalize() {
        let cases = [
            ("PMPJ-VZCJ", Some("PMPJ-VZCJ")),
            ("pmpjvzcj", Some("PMPJ-VZCJ")),
            (" pmpj vzcj ", Some("PMPJ-VZCJ")),
            ("PMPJ-VZC", None),
            ("PMPJ-VZCJ-X", None),
            ("PMPJ/VZCJ", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_user_code(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(is_valid_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!is_valid_verifier("short"));
        assert!(!is_valid_verifier(&"a b".repeat(20)));
    }

    #[test]
    fn uuid_is_version_4() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn cursors_never_look_like_options() {
        assert!((0..2000).all(|_| !cursor().starts_with('-')));
    }

    #[test]
    fn role_credentials_shape() {
        let (key, secret, token) = role_credentials();
        assert!(key.starts_with("ASIA"));
        assert_eq!(key.len(), 20);
        assert_eq!(secret.len(), 40);
        assert!(token.starts_with("IQoJb3JpZ2luX2Vj"));
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved() {
        assert_eq!(
            percent_encode("a b/c+d=e~f_g.h-i:é"),
            "a%20b%2Fc%2Bd%3De~f_g.h-i%3A%C3%A9"
        );
    }
}
