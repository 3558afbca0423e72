//! [`Directory`]: who can sign in and which accounts and roles each user is assigned —
//! the emulator's stand-in for the Identity Center identity store and permission sets.
//!
//! It comes from a TOML file (`--directory`, format in the crate README), from the built-in
//! default ([`Directory::builtin`]), and optionally grows a synthetic organisation
//! ([`Directory::add_synthetic`]) for pagination and load tests. It validates references
//! (assignments naming unknown users or accounts) at load time so a typo fails at startup, not
//! as a puzzling 403 later. It owns no state that changes while the emulator runs.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// The built-in start URL: a fake AWS-owned URL, because CLI v2 (≥ 2.35.13) makes no network
/// call for `*.awsapps.com` start URLs and rejects `http://127.0.0.1/...` ones
/// (`wire-protocol.md` §12).
pub const DEFAULT_START_URL: &str = "https://d-0000000000.awsapps.com/start";
/// The built-in region.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A user who can sign in on the browser pages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The sign-in name.
    pub name: String,
    /// The password, in clear: this is a test fixture.
    pub password: String,
}

/// An AWS account as `ListAccounts` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account ID.
    pub id: String,
    /// `accountName`.
    pub name: String,
    /// `emailAddress` (1..=254 characters, the model's only constraint).
    pub email: String,
}

/// Roles (permission sets) a user may assume in an account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The user's name.
    pub user: String,
    /// The account ID.
    pub account: String,
    /// Role names, in the order `ListAccountRoles` returns them.
    pub roles: Vec<String>,
}

/// The TOML file layout.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    start_url: Option<String>,
    region: Option<String>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    accounts: Vec<Account>,
    #[serde(default)]
    assignments: Vec<Assignment>,
}

/// One account as seen by one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserAccount {
    /// Index into [`Directory::accounts`].
    pub(crate) account: usize,
    /// Assigned role names, without duplicates, in assignment order.
    pub(crate) roles: Vec<String>,
}

/// Users, accounts and assignments, plus the instance identity (start URL, region).
#[derive(Debug, Clone)]
pub struct Directory {
    start_url: String,
    region: String,
    users: Vec<User>,
    accounts: Vec<Account>,
    /// account ID → index into `accounts`.
    account_ids: HashMap<String, usize>,
    /// user name → that user's accounts, in [`Directory::accounts`] order.
    access: HashMap<String, Vec<UserAccount>>,
}

impl Directory {
    /// The built-in directory of the contract: user `demo` / `demo-password` with six accounts
    /// (including a non-ASCII name and a long e-mail address), and `alice` / `alice-password`
    /// with fewer assignments, for forbidden-role tests.
    pub fn builtin() -> Self {
        let account = |id: &str, name: &str, email: &str| Account {
            id: id.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
        };
        let assign = |user: &str, account: &str, roles: &[&str]| Assignment {
            user: user.to_owned(),
            account: account.to_owned(),
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        };
        let file = DirectoryFile {
            start_url: None,
            region: None,
            users: vec![
                User {
                    name: "demo".to_owned(),
                    password: "demo-password".to_owned(),
                },
                User {
                    name: "alice".to_owned(),
                    password: "alice-password".to_owned(),
                },
            ],
            accounts: vec![
                account("111111111111", "dev", "dev@example.com"),
                account("222222222222", "prod", "prod@example.com"),
                account("333333333333", "Überwachung 監査", "audit@example.com"),
                account(
                    "444444444444",
                    "shared-services",
                    "aws-platform-engineering-shared-services+root@subsidiary.example.com",
                ),
                account("555555555555", "sandbox", "sandbox@example.com"),
                account("666666666666", "billing", "billing@example.com"),
            ],
            assignments: vec![
                assign(
                    "demo",
                    "111111111111",
                    &["AdministratorAccess", "ReadOnly", "PowerUserAccess"],
                ),
                assign("demo", "222222222222", &["ReadOnly", "Billing"]),
                assign("demo", "333333333333", &["ReadOnly"]),
                assign("demo", "444444444444", &["AdministratorAccess", "ReadOnly"]),
                assign(
                    "demo",
                    "555555555555",
                    &[
                        "AdministratorAccess",
                        "PowerUserAccess",
                        "ReadOnly",
                        "Billing",
                    ],
                ),
                assign("demo", "666666666666", &["Billing"]),
                assign("alice", "111111111111", &["ReadOnly"]),
                assign("alice", "222222222222", &["ReadOnly"]),
            ],
        };
        // The built-in data is valid by construction; `from_file` re-checks it anyway and a unit
        // test proves it passes, so the fallback below is unreachable in practice.
        Self::from_file(file).unwrap_or_else(|_| Self::empty())
    }

    fn empty() -> Self {
        Self {
            start_url: DEFAULT_START_URL.to_owned(),
            region: DEFAULT_REGION.to_owned(),
            users: Vec::new(),
            accounts: Vec::new(),
            account_ids: HashMap::new(),
            access: HashMap::new(),
        }
    }

    /// Reads a directory TOML file.
    ///
    /// # Errors
    ///
    /// [`DirectoryError::Read`] or [`DirectoryError::Parse`] naming the file, or a validation
    /// error naming the offending entry.
    pub fn load(path: &Path) -> Result<Self, DirectoryError> {
        let text = std::fs::read_to_string(path).map_err(|source| DirectoryError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text).map_err(|error| match error {
            DirectoryError::Parse { message, .. } => DirectoryError::Parse {
                origin: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Parses directory TOML text.
    ///
    /// # Errors
    ///
    /// [`DirectoryError::Parse`] with toml's line/column message, or a validation error.
    pub fn from_toml(text: &str) -> Result<Self, DirectoryError> {
        let file: DirectoryFile = toml::from_str(text).map_err(|error| DirectoryError::Parse {
            origin: "<directory>".to_owned(),
            message: error.to_string(),
        })?;
        Self::from_file(file)
    }

    fn from_file(file: DirectoryFile) -> Result<Self, DirectoryError> {
        let start_url = file
            .start_url
            .unwrap_or_else(|| DEFAULT_START_URL.to_owned());
        if start_url.trim().is_empty() {
            return Err(DirectoryError::Invalid("start_url is empty".to_owned()));
        }
        let region = file.region.unwrap_or_else(|| DEFAULT_REGION.to_owned());
        if region.trim().is_empty() || region.contains(char::is_whitespace) {
            return Err(DirectoryError::Invalid(format!(
                "region `{region}` is not a region name such as `us-east-1`"
            )));
        }
        let mut directory = Self {
            start_url,
            region,
            users: Vec::new(),
            accounts: Vec::new(),
            account_ids: HashMap::new(),
            access: HashMap::new(),
        };
        for (index, user) in file.users.into_iter().enumerate() {
            if user.name.is_empty() {
                return Err(DirectoryError::Invalid(format!(
                    "users[{index}]: name is empty"
                )));
            }
            if directory.user(&user.name).is_some() {
                return Err(DirectoryError::Invalid(format!(
                    "users[{index}]: user `{}` is listed twice",
                    user.name
                )));
            }
            directory.users.push(user);
        }
        for (index, account) in file.accounts.into_iter().enumerate() {
            directory.push_account(account, &format!("accounts[{index}]"))?;
        }
        for (index, assignment) in file.assignments.into_iter().enumerate() {
            directory.assign(assignment, &format!("assignments[{index}]"))?;
        }
        Ok(directory)
    }

    fn push_account(&mut self, account: Account, at: &str) -> Result<(), DirectoryError> {
        if account.id.len() != 12 || !account.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DirectoryError::Invalid(format!(
                "{at}: id `{}` is not a 12-digit account ID",
                account.id
            )));
        }
        if self.account_index(&account.id).is_some() {
            return Err(DirectoryError::Invalid(format!(
                "{at}: account `{}` is listed twice",
                account.id
            )));
        }
        if account.email.is_empty() || account.email.chars().count() > 254 {
            return Err(DirectoryError::Invalid(format!(
                "{at}: email must be 1..=254 characters (the service model's constraint)"
            )));
        }
        self.account_ids
            .insert(account.id.clone(), self.accounts.len());
        self.accounts.push(account);
        Ok(())
    }

    fn assign(&mut self, assignment: Assignment, at: &str) -> Result<(), DirectoryError> {
        if self.user(&assignment.user).is_none() {
            return Err(DirectoryError::Invalid(format!(
                "{at}: unknown user `{}` (add it under [[users]])",
                assignment.user
            )));
        }
        let Some(account) = self.account_index(&assignment.account) else {
            return Err(DirectoryError::Invalid(format!(
                "{at}: unknown account `{}` (add it under [[accounts]])",
                assignment.account
            )));
        };
        if let Some(role) = assignment.roles.iter().find(|role| role.is_empty()) {
            return Err(DirectoryError::Invalid(format!(
                "{at}: empty role name `{role}`"
            )));
        }
        let entries = self.access.entry(assignment.user).or_default();
        // Each user's list stays sorted by directory account order, which is the order
        // ListAccounts pages through.
        let position = match entries.binary_search_by_key(&account, |entry| entry.account) {
            Ok(position) => position,
            Err(position) => {
                entries.insert(
                    position,
                    UserAccount {
                        account,
                        roles: Vec::new(),
                    },
                );
                position
            }
        };
        let roles = &mut entries[position].roles;
        for role in assignment.roles {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        Ok(())
    }

    /// Adds `accounts` synthetic accounts (IDs `500000000000` upwards, names
    /// `synthetic-00001`…) with `roles` roles each, assigned to every user. The first four role
    /// names are the usual `AdministratorAccess`, `ReadOnly`, `PowerUserAccess`, `Billing`;
    /// further ones are `SyntheticRole05`….
    ///
    /// # Errors
    ///
    /// If an ID collides with an existing account, or `accounts` is too large for the ID range.
    pub fn add_synthetic(&mut self, accounts: u32, roles: u32) -> Result<(), DirectoryError> {
        const STANDARD: [&str; 4] = [
            "AdministratorAccess",
            "ReadOnly",
            "PowerUserAccess",
            "Billing",
        ];
        let role_names: Vec<String> = (0..roles as usize)
            .map(|index| match STANDARD.get(index) {
                Some(name) => (*name).to_owned(),
                None => format!("SyntheticRole{:02}", index + 1),
            })
            .collect();
        let users: Vec<String> = self.users.iter().map(|user| user.name.clone()).collect();
        for number in 1..=u64::from(accounts) {
            let id = format!("{}", 500_000_000_000_u64 + number);
            let name = format!("synthetic-{number:05}");
            let account = Account {
                email: format!("{name}@example.com"),
                id: id.clone(),
                name,
            };
            self.push_account(account, &format!("synthetic account {number}"))?;
            for user in &users {
                self.assign(
                    Assignment {
                        user: user.clone(),
                        account: id.clone(),
                        roles: role_names.clone(),
                    },
                    &format!("synthetic assignment {number}"),
                )?;
            }
        }
        Ok(())
    }

    /// The portal start URL, which is also the issuer URL clients register with.
    pub fn start_url(&self) -> &str {
        &self.start_url
    }

    /// The instance's region (embedded in client IDs, §9.7).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// All users.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// All accounts.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|user| user.name == name)
    }

    /// Whether `name` / `password` is a valid sign-in.
    pub fn check_password(&self, name: &str, password: &str) -> bool {
        self.user(name)
            .is_some_and(|user| user.password == password)
    }

    fn account_index(&self, id: &str) -> Option<usize> {
        self.account_ids.get(id).copied()
    }

    /// The accounts `user` is assigned to, in directory order.
    pub(crate) fn accounts_of(&self, user: &str) -> &[UserAccount] {
        self.access.get(user).map_or(&[], Vec::as_slice)
    }

    /// The account at an index of [`Directory::accounts`].
    pub(crate) fn account_at(&self, index: usize) -> Option<&Account> {
        self.accounts.get(index)
    }

    /// The roles `user` has in `account_id`, or `None` if the user has no assignment there.
    pub fn roles_of(&self, user: &str, account_id: &str) -> Option<&[String]> {
        let index = self.account_index(account_id)?;
        let entries = self.accounts_of(user);
        let position = entries
            .binary_search_by_key(&index, |entry| entry.account)
            .ok()?;
        Some(entries[position].roles.as_slice())
    }
}

/// Why a directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The file could not be read.
    #[error("cannot read the directory file `{path}`: {source}")]
    Read {
        /// The path given to `--directory`.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for the directory format.
    #[error(
        "cannot parse the directory file `{origin}`: {message}\nhint: see crates/sso-emulator/README.md for the format"
    )]
    Parse {
        /// The file (or `<directory>` for in-memory text).
        origin: String,
        /// toml's message, with line and column.
        message: String,
    },
    /// The file parses but is inconsistent.
    #[error("invalid directory: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matches_the_contract() {
        let directory = Directory::builtin();
        assert_eq!(directory.start_url(), DEFAULT_START_URL);
        assert_eq!(directory.region(), "us-east-1");
        assert!(directory.check_password("demo", "demo-password"));
        assert!(directory.check_password("alice", "alice-password"));
        assert!(!directory.check_password("demo", "alice-password"));
        assert!(!directory.check_password("nobody", ""));
        let demo: Vec<&str> = directory
            .accounts_of("demo")
            .iter()
            .map(|entry| directory.accounts()[entry.account].id.as_str())
            .collect();
        assert_eq!(demo.len(), 6);
        assert_eq!(&demo[..2], ["111111111111", "222222222222"]);
        assert_eq!(directory.accounts()[0].name, "dev");
        assert_eq!(directory.accounts()[0].email, "dev@example.com");
        assert_eq!(directory.accounts()[1].name, "prod");
        assert!(
            directory
                .accounts()
                .iter()
                .any(|account| !account.name.is_ascii())
        );
        assert!(
            directory
                .accounts()
                .iter()
                .any(|account| account.email.len() > 60)
        );
        assert!(
            directory
                .accounts_of("demo")
                .iter()
                .any(|entry| entry.roles.len() >= 3)
        );
        assert_eq!(directory.accounts_of("alice").len(), 2);
        assert_eq!(
            directory.roles_of("alice", "111111111111"),
            Some(&["ReadOnly".to_owned()][..])
        );
        assert_eq!(directory.roles_of("alice", "555555555555"), None);
    }

    #[test]
    fn toml_round_trip_and_merge() {
        let directory = Directory::from_toml(
            r#"
            start_url = "https://d-1234567890.awsapps.com/start"
            region = "eu-west-1"
            [[users]]
            name = "bob"
            password = "pw"
            [[accounts]]
            id = "000000000002"
            name = "b"
            email = "b@example.com"
            [[accounts]]
            id = "000000000001"
            name = "a"
            email = "a@example.com"
            [[assignments]]
            user = "bob"
            account = "000000000001"
            roles = ["R1"]
            [[assignments]]
            user = "bob"
            account = "000000000002"
            roles = ["R2"]
            [[assignments]]
            user = "bob"
            account = "000000000001"
            roles = ["R3", "R1"]
            "#,
        )
        .unwrap();
        assert_eq!(directory.region(), "eu-west-1");
        assert_eq!(
            directory.start_url(),
            "https://d-1234567890.awsapps.com/start"
        );
        // Directory account order, not assignment order.
        let order: Vec<usize> = directory
            .accounts_of("bob")
            .iter()
            .map(|entry| entry.account)
            .collect();
        assert_eq!(order, [0, 1]);
        assert_eq!(
            directory.roles_of("bob", "000000000001").unwrap(),
            ["R1", "R3"]
        );
    }

    #[test]
    fn validation_names_the_entry() {
        let cases = [
            (
                "[[users]]\nname=\"a\"\npassword=\"p\"\n[[assignments]]\nuser=\"a\"\naccount=\"111111111111\"\nroles=[\"R\"]\n",
                "invalid directory: assignments[0]: unknown account `111111111111` (add it under [[accounts]])",
            ),
            (
                "[[accounts]]\nid=\"12\"\nname=\"n\"\nemail=\"e\"\n",
                "invalid directory: accounts[0]: id `12` is not a 12-digit account ID",
            ),
            (
                "[[users]]\nname=\"a\"\npassword=\"p\"\n[[users]]\nname=\"a\"\npassword=\"q\"\n",
                "invalid directory: users[1]: user `a` is listed twice",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Directory::from_toml(text).unwrap_err().to_string(),
                expected
            );
        }
        let error = Directory::from_toml("[[users]]\nname = \"a\"\npasword = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("pasword"), "{error}");
        assert!(error.contains("line 3"), "{error}");
    }

    #[test]
    fn synthetic_org_is_assigned_to_every_user() {
        let mut directory = Directory::builtin();
        directory.add_synthetic(5000, 6).unwrap();
        assert_eq!(directory.accounts().len(), 5006);
        assert_eq!(directory.accounts_of("demo").len(), 5006);
        assert_eq!(directory.accounts_of("alice").len(), 5002);
        assert_eq!(
            directory.roles_of("alice", "500000005000").unwrap(),
            [
                "AdministratorAccess",
                "ReadOnly",
                "PowerUserAccess",
                "Billing",
                "SyntheticRole05",
                "SyntheticRole06"
            ]
        );
        assert_eq!(directory.accounts()[6].name, "synthetic-00001");
    }
}
