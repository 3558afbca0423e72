//! [`AppState`]: what every handler shares — configuration, directory, the redb [`Store`],
//! the adjustable clock, traffic bookkeeping (request log, counters, rate limits, faults) and
//! the in-memory pagination cursors.
//!
//! It also owns the few state transitions that several entry points share (portal sessions,
//! device approval and denial, revocation), so the browser pages, `--auto-approve` and the
//! control routes all go through the same code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;
use sso_core::{Clock, SystemClock};

use crate::clock::EmulatorClock;
use crate::config::{Config, ConfigError};
use crate::directory::Directory;
use crate::ids;
use crate::store::{
    AccessToken, Client, DeviceGrant, DeviceStatus, RefreshToken, Session, Store, StoreError,
    UserCode, Writer,
};
use crate::traffic::Traffic;

/// How long a pagination token stays usable.
const CURSOR_TTL_MS: i64 = 3_600_000;
/// Above this many live cursors, expired ones are swept on insert.
const CURSOR_SWEEP_AT: usize = 50_000;

/// Shared state of one emulator instance. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    directory: Directory,
    store: Store,
    clock: EmulatorClock,
    traffic: Traffic,
    cursors: Mutex<HashMap<String, Cursor>>,
}

/// Which list a pagination token continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListKind {
    Accounts,
    Roles(String),
}

/// Server-side pagination state behind an opaque `nextToken`.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    pub(crate) user: String,
    pub(crate) list: ListKind,
    pub(crate) offset: usize,
    expires_at_ms: i64,
}

/// Why an emulator could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// A configuration value is out of range or inconsistent with the directory.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The state database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a device code could not be approved or denied.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DeviceActionError {
    #[error("no device authorization has user code `{0}`")]
    UnknownCode(String),
    #[error("user code `{0}` has expired")]
    Expired(String),
    #[error("user code `{0}` is no longer pending")]
    NotPending(String),
    #[error("no such user `{0}` in the directory")]
    UnknownUser(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Locks a mutex, shrugging off poisoning: every critical section here leaves its data
/// consistent, so a panic elsewhere is no reason to stop serving.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// Builds the state on the system clock.
    ///
    /// # Errors
    ///
    /// A configuration error (e.g. `--auto-approve` naming an unknown user) or a state file
    /// that cannot be opened.
    pub fn new(config: Config, directory: Directory) -> Result<Self, EmulatorError> {
        Self::with_clock(config, directory, Arc::new(SystemClock))
    }

    /// Builds the state on a given base clock (tests pass a `FixedClock`).
    ///
    /// # Errors
    ///
    /// As [`AppState::new`].
    pub fn with_clock(
        config: Config,
        directory: Directory,
        base: Arc<dyn Clock>,
    ) -> Result<Self, EmulatorError> {
        config.validate()?;
        if let Some(user) = &config.auto_approve
            && directory.user(user).is_none()
        {
            return Err(ConfigError::UnknownAutoApproveUser(user.clone()).into());
        }
        let store = Store::open(config.state_file.as_deref())?;
        let traffic = Traffic::new(&config);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                directory,
                store,
                clock: EmulatorClock::new(base),
                traffic,
                cursors: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The directory.
    pub fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    /// The emulator clock.
    pub fn clock(&self) -> &EmulatorClock {
        &self.inner.clock
    }

    /// The current emulator time.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Moves the emulator clock forward by `seconds` (negative moves it back).
    pub fn advance_clock(&self, seconds: i64) -> Timestamp {
        self.inner.clock.advance_ms(seconds.saturating_mul(1000))
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn traffic(&self) -> &Traffic {
        &self.inner.traffic
    }

    /// Approves the pending device authorization with `user_code` as `user`, as the control
    /// route `POST /_emulator/device/approve` does. Returns `false` if it could not be approved
    /// (unknown, expired or no longer pending code, or unknown user).
    pub fn approve_device(&self, user_code: &str, user: &str) -> bool {
        self.approve_device_as(user_code, Approver::User(user))
            .is_ok()
    }

    /// Denies the pending device authorization with `user_code`: the client's next poll gets
    /// `AccessDeniedException`. Returns `false` if it was not pending.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.deny_device_code(user_code).is_ok()
    }

    /// Revokes every live session of `user`, and with them all their access and refresh
    /// tokens. Returns how many sessions were revoked.
    ///
    /// # Errors
    ///
    /// A state database failure.
    pub fn revoke_user(&self, user: &str) -> Result<usize, StoreError> {
        self.store().write(|tx| {
            let mut revoked = 0;
            for (id, mut session) in tx.all::<Session>()? {
                if session.user == user && !session.revoked {
                    session.revoked = true;
                    tx.put(&id, &session)?;
                    revoked += 1;
                }
            }
            Ok(revoked)
        })
    }

    /// Revokes the session behind `access_token` (as Logout does). Returns 1 if a live session
    /// was revoked, 0 otherwise.
    ///
    /// # Errors
    ///
    /// A state database failure.
    pub fn revoke_token(&self, access_token: &str) -> Result<usize, StoreError> {
        self.store().write(|tx| {
            let Some(token) = tx.get::<AccessToken>(access_token)? else {
                return Ok(0);
            };
            revoke_session(tx, &token.session_id)
        })
    }

    /// Starts a portal session for `user` inside `tx` and returns its ID.
    pub(crate) fn new_session(&self, tx: &Writer, user: &str) -> Result<String, StoreError> {
        let now = self.now_ms();
        let id = ids::opaque();
        tx.put(
            &id,
            &Session {
                user: user.to_owned(),
                created_at_ms: now,
                expires_at_ms: now + self.config().lifetimes.session * 1000,
                revoked: false,
            },
        )?;
        Ok(id)
    }

    /// Approves a device code for a browser session or a named user.
    pub(crate) fn approve_device_as(
        &self,
        user_code: &str,
        approver: Approver<'_>,
    ) -> Result<(), DeviceActionError> {
        if let Approver::User(user) = approver
            && self.directory().user(user).is_none()
        {
            return Err(DeviceActionError::UnknownUser(user.to_owned()));
        }
        let now = self.now_ms();
        self.store().write(|tx| {
            let (device_code, mut grant) = match pending_grant(tx, user_code, now)? {
                Ok(found) => found,
                Err(error) => return Ok(Err(error)),
            };
            let session_id = match approver {
                Approver::Session(id) => id.to_owned(),
                Approver::User(user) => self.new_session(tx, user)?,
            };
            grant.status = DeviceStatus::Approved { session_id };
            tx.put(&device_code, &grant)?;
            Ok(Ok(()))
        })?
    }

    /// Denies a pending device code.
    pub(crate) fn deny_device_code(&self, user_code: &str) -> Result<(), DeviceActionError> {
        let now = self.now_ms();
        self.store().write(|tx| {
            let (device_code, mut grant) = match pending_grant(tx, user_code, now)? {
                Ok(found) => found,
                Err(error) => return Ok(Err(error)),
            };
            grant.status = DeviceStatus::Denied;
            tx.put(&device_code, &grant)?;
            Ok(Ok(()))
        })?
    }

    /// Looks up a device grant by user code (any spelling), for the pages.
    pub(crate) fn device_by_user_code(
        &self,
        user_code: &str,
    ) -> Result<Option<(String, DeviceGrant)>, StoreError> {
        let Some(canonical) = ids::normalize_user_code(user_code) else {
            return Ok(None);
        };
        self.store().read(|tx| {
            let Some(index) = tx.get::<UserCode>(&canonical)? else {
                return Ok(None);
            };
            Ok(tx
                .get::<DeviceGrant>(&index.device_code)?
                .map(|grant| (index.device_code, grant)))
        })
    }

    /// The registered client, if any.
    pub(crate) fn client(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        self.store().read(|tx| tx.get::<Client>(client_id))
    }

    /// Stores a pagination cursor and returns its fresh, unguessable token.
    pub(crate) fn save_cursor(&self, user: &str, list: ListKind, offset: usize) -> String {
        let token = ids::cursor();
        let now = self.now_ms();
        let mut cursors = lock(&self.inner.cursors);
        if cursors.len() >= CURSOR_SWEEP_AT {
            cursors.retain(|_, cursor| cursor.expires_at_ms > now);
        }
        cursors.insert(
            token.clone(),
            Cursor {
                user: user.to_owned(),
                list,
                offset,
                expires_at_ms: now + CURSOR_TTL_MS,
            },
        );
        token
    }

    /// The cursor behind a `nextToken`, if it exists and has not expired. Tokens may be reused
    /// (a client retrying a page after a 500 must get the same page again).
    pub(crate) fn cursor(&self, token: &str) -> Option<Cursor> {
        let now = self.now_ms();
        lock(&self.inner.cursors)
            .get(token)
            .filter(|cursor| cursor.expires_at_ms > now)
            .cloned()
    }

    /// Every secret value ever issued, for leak checks (`GET /_emulator/issued`).
    pub(crate) fn issued(&self) -> Result<Issued, StoreError> {
        self.store().read(|tx| {
            let clients = tx.all::<Client>()?;
            Ok(Issued {
                access_tokens: keys_by_issue_time(tx.all::<AccessToken>()?, |t| t.issued_at_ms),
                refresh_tokens: keys_by_issue_time(tx.all::<RefreshToken>()?, |t| t.issued_at_ms),
                client_secrets: {
                    let mut secrets: Vec<(i64, String)> = clients
                        .iter()
                        .map(|(_, client)| (client.issued_at_ms, client.client_secret.clone()))
                        .collect();
                    secrets.sort();
                    secrets.into_iter().map(|(_, secret)| secret).collect()
                },
                client_ids: keys_by_issue_time(clients, |c| c.issued_at_ms),
            })
        })
    }
}

fn keys_by_issue_time<T>(records: Vec<(String, T)>, issued: impl Fn(&T) -> i64) -> Vec<String> {
    let mut keyed: Vec<(i64, String)> = records
        .into_iter()
        .map(|(key, record)| (issued(&record), key))
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, key)| key).collect()
}

/// Everything issued, by kind.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Issued {
    pub(crate) access_tokens: Vec<String>,
    pub(crate) refresh_tokens: Vec<String>,
    pub(crate) client_secrets: Vec<String>,
    pub(crate) client_ids: Vec<String>,
}

/// Who approves a device code.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Approver<'a> {
    /// A signed-in browser session (its ID).
    Session(&'a str),
    /// A directory user, without a browser (control route, `--auto-approve`): a new session is
    /// started for them.
    User(&'a str),
}

/// Revokes one session inside `tx`; returns 1 if it was live.
pub(crate) fn revoke_session(tx: &Writer, session_id: &str) -> Result<usize, StoreError> {
    let Some(mut session) = tx.get::<Session>(session_id)? else {
        return Ok(0);
    };
    if session.revoked {
        return Ok(0);
    }
    session.revoked = true;
    tx.put(session_id, &session)?;
    Ok(1)
}

/// Finds a device grant that can still be approved or denied.
fn pending_grant(
    tx: &Writer,
    user_code: &str,
    now_ms: i64,
) -> Result<Result<(String, DeviceGrant), DeviceActionError>, StoreError> {
    let unknown = || DeviceActionError::UnknownCode(user_code.to_owned());
    let Some(canonical) = ids::normalize_user_code(user_code) else {
        return Ok(Err(unknown()));
    };
    let Some(index) = tx.get::<UserCode>(&canonical)? else {
        return Ok(Err(unknown()));
    };
    let Some(grant) = tx.get::<DeviceGrant>(&index.device_code)? else {
        return Ok(Err(unknown()));
    };
    if now_ms >= grant.expires_at_ms {
        return Ok(Err(DeviceActionError::Expired(canonical)));
    }
    if grant.status != DeviceStatus::Pending {
        return Ok(Err(DeviceActionError::NotPending(canonical)));
    }
    Ok(Ok((index.device_code, grant)))
}
