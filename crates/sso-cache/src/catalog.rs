//! [`RoleCatalog`]: every account and role one sign-in can use, as `aws-sso roles` last
//! enumerated them (issue 11). The file is ours alone: no other tool reads or writes it.
//!
//! It lives in `~/.aws/sso/aws-sso-roles/<stem>.roles.json`, where `<stem>` is the token
//! file's (the SHA-1 of the sso-session name, or of the start URL for a legacy profile), so
//! one sign-in has one catalog and `logout` finds it from the token it removes. The `.roles`
//! infix keeps its lock file distinct from the token's in the shared lock directory.
//!
//! The catalog is also the checkpoint of an enumeration in progress: accounts whose roles are
//! not listed yet have `roles: null`, so an interrupted run resumes where it stopped. It is
//! complete when `completedAt` is set. Written like every cache file: atomically, 0600, in a
//! 0700 directory.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::time::{format_timestamp, parse_timestamp};

/// The file format's version. A file of another version is a miss (and rewritten).
const VERSION: u32 = 1;

/// One account and, once listed, the names of the roles the user has in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogAccount {
    /// The 12-digit account ID.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// The account's e-mail address, when the service gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Role names in ListAccountRoles order; `None` until they have been listed.
    pub roles: Option<Vec<String>>,
}

/// The accounts and roles of one sign-in target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCatalog {
    /// The start URL the catalog was built for; a catalog of another one is not used.
    pub start_url: String,
    /// The SSO region it was built in.
    pub region: String,
    /// When the enumeration that built it began.
    pub started_at: Timestamp,
    /// When the last account's roles were listed; `None` while some are missing.
    pub completed_at: Option<Timestamp>,
    /// Accounts in ListAccounts order.
    pub accounts: Vec<CatalogAccount>,
}

/// The file's JSON shape.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogFile {
    version: u32,
    start_url: String,
    region: String,
    started_at: String,
    completed_at: Option<String>,
    accounts: Vec<CatalogAccount>,
}

impl RoleCatalog {
    /// A catalog of `accounts` whose roles are all still to be listed.
    pub fn started(
        start_url: impl Into<String>,
        region: impl Into<String>,
        now: Timestamp,
        accounts: Vec<CatalogAccount>,
    ) -> Self {
        Self {
            start_url: start_url.into(),
            region: region.into(),
            started_at: now,
            completed_at: None,
            accounts,
        }
    }

    /// How many accounts still have no role list.
    pub fn pending(&self) -> usize {
        self.accounts.iter().filter(|a| a.roles.is_none()).count()
    }

    /// Whether it was built for this start URL and region.
    pub fn is_for(&self, start_url: &str, region: &str) -> bool {
        self.start_url == start_url && self.region == region
    }

    /// Reads a catalog file's bytes straight into the typed shape: a catalog can hold tens of
    /// thousands of roles, and the generic JSON tree the other cache files go through would
    /// double the work of the cache hit `aws-sso roles` is meant to be.
    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, String> {
        let file: CatalogFile = serde_json::from_slice(bytes).map_err(|error| {
            if error.is_data() {
                format!("not a role catalog: {error}")
            } else {
                format!("invalid JSON: {error}")
            }
        })?;
        Self::from_file(file)
    }

    #[cfg(test)]
    fn from_json(object: serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        let file: CatalogFile = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|error| format!("not a role catalog: {error}"))?;
        Self::from_file(file)
    }

    fn from_file(file: CatalogFile) -> Result<Self, String> {
        if file.version != VERSION {
            return Err(format!(
                "version {} is not {VERSION}, the version this aws-sso writes",
                file.version
            ));
        }
        let time = |name: &str, text: &str| {
            parse_timestamp(text).ok_or_else(|| format!("`{name}` is not a timestamp"))
        };
        Ok(Self {
            started_at: time("startedAt", &file.started_at)?,
            completed_at: file
                .completed_at
                .as_deref()
                .map(|text| time("completedAt", text))
                .transpose()?,
            start_url: file.start_url,
            region: file.region,
            accounts: file.accounts,
        })
    }

    pub(crate) fn render(&self) -> String {
        let file = CatalogFile {
            version: VERSION,
            start_url: self.start_url.clone(),
            region: self.region.clone(),
            started_at: format_timestamp(self.started_at),
            completed_at: self.completed_at.map(format_timestamp),
            accounts: self.accounts.clone(),
        };
        // Compact: the file can hold tens of thousands of roles, and only we read it.
        serde_json::to_string(&file).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn catalog() -> RoleCatalog {
        RoleCatalog {
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "us-east-1".into(),
            started_at: "2026-12-03T10:00:00Z".parse().unwrap(),
            completed_at: None,
            accounts: vec![
                CatalogAccount {
                    account_id: "111111111111".into(),
                    account_name: "dev".into(),
                    email_address: Some("dev@example.com".into()),
                    roles: Some(vec!["ReadOnly".into(), "Admin".into()]),
                },
                CatalogAccount {
                    account_id: "222222222222".into(),
                    account_name: "prod".into(),
                    email_address: None,
                    roles: None,
                },
            ],
        }
    }

    #[test]
    fn round_trips_and_counts_pending_accounts() {
        let catalog = catalog();
        assert_eq!(catalog.pending(), 1);
        let Value::Object(object) = serde_json::from_str(&catalog.render()).unwrap() else {
            panic!("an object");
        };
        assert_eq!(object["version"], 1);
        assert_eq!(object["startedAt"], "2026-12-03T10:00:00Z");
        assert_eq!(object["accounts"][1]["roles"], Value::Null);
        assert_eq!(RoleCatalog::from_json(object).unwrap(), catalog);
    }

    #[test]
    fn other_versions_and_shapes_are_rejected_with_a_reason() {
        let Value::Object(mut object) = serde_json::from_str(&catalog().render()).unwrap() else {
            panic!("an object");
        };
        object.insert("version".into(), 2.into());
        let error = RoleCatalog::from_json(object.clone()).unwrap_err();
        assert!(error.contains("version 2"), "{error}");
        object.insert("version".into(), 1.into());
        object.insert("startedAt".into(), "yesterday".into());
        let error = RoleCatalog::from_json(object.clone()).unwrap_err();
        assert_eq!(error, "`startedAt` is not a timestamp");
        object.remove("accounts");
        let error = RoleCatalog::from_json(object).unwrap_err();
        assert!(
            error.starts_with("not a role catalog: missing field `accounts`"),
            "{error}"
        );
    }
}
