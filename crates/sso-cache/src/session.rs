//! [`SessionRecord`]: when a sign-in began, which no token file says (refreshes move
//! `expiresAt`, and the portal session they live in ends a fixed time after the sign-in).
//! `aws-sso login` writes it and `aws-sso status` reads it to estimate when a new sign-in will
//! be needed. The file is ours alone: `~/.aws/sso/aws-sso-sessions/<token file stem>.json`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::time::{format_timestamp, parse_timestamp};

/// One sign-in's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The start URL signed in to.
    pub start_url: String,
    /// Its SSO region.
    pub region: String,
    /// When the sign-in completed.
    pub started_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordFile {
    start_url: String,
    region: String,
    started_at: String,
}

impl SessionRecord {
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let file: RecordFile = serde_json::from_slice(bytes).ok()?;
        Some(Self {
            started_at: parse_timestamp(&file.started_at)?,
            start_url: file.start_url,
            region: file.region,
        })
    }

    pub(crate) fn render(&self) -> String {
        serde_json::to_string(&RecordFile {
            start_url: self.start_url.clone(),
            region: self.region.clone(),
            started_at: format_timestamp(self.started_at),
        })
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let record = SessionRecord {
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            started_at: "2026-12-03T08:00:00Z".parse().unwrap(),
        };
        assert_eq!(
            record.render(),
            r#"{"startUrl":"https://d-1234567890.awsapps.com/start","region":"eu-west-1","startedAt":"2026-12-03T08:00:00Z"}"#
        );
        assert_eq!(
            SessionRecord::from_slice(record.render().as_bytes()),
            Some(record)
        );
        assert_eq!(SessionRecord::from_slice(b"{"), None);
        assert_eq!(
            SessionRecord::from_slice(br#"{"startUrl":"u","region":"r","startedAt":"soon"}"#),
            None
        );
    }
}
