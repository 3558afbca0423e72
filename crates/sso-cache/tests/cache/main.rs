//! Integration tests of the cache I/O layer: real files in temporary home directories, the
//! cross-process lock, and (when Python and botocore are installed) compatibility with botocore.
#![expect(
    clippy::disallowed_methods,
    reason = "a test harness that drives real processes and servers in real time"
)]

mod interop;
mod io;
mod lock;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use sso_cache::{CachedToken, TokenKey};
use sso_core::Secret;

pub const START_URL: &str = "https://d-1234567890.awsapps.com/start";

pub fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

pub fn session_key() -> TokenKey {
    TokenKey::session("my-sso", START_URL)
}

/// A refreshable token expiring at `expires_at`.
pub fn token(access_token: &str, expires_at: &str) -> CachedToken {
    let mut token = CachedToken::new(Secret::new(access_token.into()), ts(expires_at));
    token.start_url = Some(START_URL.into());
    token.region = Some("us-east-1".into());
    token.client_id = Some("cid-123".into());
    token.client_secret = Some(Secret::new("csecret-456".into()));
    token.registration_expires_at = Some(ts("2027-02-24T10:15:10Z"));
    token.refresh_token = Some(Secret::new("rt-0".into()));
    token
}

/// Names of the entries of `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn write(path: &PathBuf, contents: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}
