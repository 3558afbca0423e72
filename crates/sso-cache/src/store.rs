//! [`Cache`]: the files under `~/.aws/sso/cache` and `~/.aws/cli/cache`, read forgivingly,
//! written atomically, and locked per token for single-flight refresh.
//!
//! **Reading.** A missing file is [`Entry::Missing`]. A file that is empty, not JSON, or not a
//! JSON object is reported as [`CacheWarning::Corrupt`] and treated as missing, where botocore
//! fails every call with a bare `KeyError` until the user deletes it. A complete JSON object
//! followed by stray bytes (what two truncate-then-write writers leave behind,
//! aws/aws-cli#9632, boto/botocore#3213) is recovered: the leading object is used when it is a
//! complete entry of the expected kind (for a token: it has `accessToken` and `expiresAt`),
//! with a [`CacheWarning::Recovered`]; otherwise the file counts as corrupt.
//!
//! **Writing.** Every write goes to a temporary file in the target's directory (created 0600,
//! named `.aws-sso-*.tmp`), is fsynced, renamed over the target and the directory fsynced, so a
//! reader sees the old file or the new one and never a torn one; an interrupted write leaves
//! the old file in place and the temporary file is removed. This is PyPI botocore's method;
//! the AWS CLI v2 itself truncates and writes in place (spec cli-behavior §2.6).
//!
//! **Locking.** [`Cache::lock_token`] takes an exclusive OS file lock (`File::lock`: `flock`
//! on Unix, `LockFileEx` on Windows), released when the [`TokenLock`] drops or the process
//! dies. Lock files live in `~/.aws/sso/aws-sso-locks/`, a sibling of the cache directory,
//! never inside it: the AWS CLI's logout `open()`s and `json.load`s every entry of
//! `~/.aws/sso/cache` (it would skip a subdirectory or an empty file, since it catches every
//! exception, but other tools that scan the directory may not), so keeping the cache
//! directory free of anything that is not a cache entry is the safe choice. Lock files are
//! empty and never deleted, because deleting a lock file while someone waits on it lets two
//! processes hold "the" lock at once. Other tools do not take this lock; it makes aws-sso
//! processes single-flight among themselves, and the atomic writes keep everyone else safe.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sso_core::{Env, Secret};

use crate::catalog::RoleCatalog;
use crate::error::{CacheError, CacheWarning};
use crate::keys::{RegistrationKey, RoleCredentialsKey, TokenKey};
use crate::registration::ClientRegistration;
use crate::role::{RoleCredentials, SSO_PROVIDER_TYPE};
use crate::session::SessionRecord;
use crate::token::CachedToken;

/// Mode of directories we create. The AWS CLI creates `~/.aws/sso/cache` with the default
/// mode (0755 under umask 022); we create 0700 because the files hold bearer tokens. An
/// existing directory is left as it is, whatever its mode: it belongs to the user and to the
/// other tools sharing it, and its files are 0600 either way.
#[cfg(unix)]
const DIRECTORY_MODE: u32 = 0o700;

/// The name ending of role catalog files: `<token file stem>.roles.json`.
const CATALOG_SUFFIX: &str = ".roles.json";

/// Mode of lock files (they hold nothing, but there is no reason for others to open them).
#[cfg(unix)]
const LOCK_FILE_MODE: u32 = 0o600;

/// The cache directories of one home directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    sso_dir: PathBuf,
    cli_dir: PathBuf,
    lock_dir: PathBuf,
    catalog_dir: PathBuf,
    session_dir: PathBuf,
}

/// The result of reading one cache entry.
#[derive(Debug)]
pub struct Loaded<T> {
    /// What was found.
    pub entry: Entry<T>,
    /// A problem that was worked around; print it once.
    pub warning: Option<CacheWarning>,
}

/// What a cache file held.
#[derive(Debug)]
pub enum Entry<T> {
    /// A usable entry.
    Found(T),
    /// No file, or a corrupt one (see the warning).
    Missing,
    /// Tokens only: a JSON object without a usable `accessToken` or `expiresAt`, botocore's
    /// "is invalid" case. (Incomplete registrations and role credentials are `Missing` with a
    /// [`CacheWarning::Incomplete`], because the CLI simply fetches new ones.)
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is missing or malformed.
        detail: String,
    },
}

impl<T> Loaded<T> {
    const fn found(entry: T, warning: Option<CacheWarning>) -> Self {
        Self {
            entry: Entry::Found(entry),
            warning,
        }
    }

    const fn missing(warning: Option<CacheWarning>) -> Self {
        Self {
            entry: Entry::Missing,
            warning,
        }
    }

    /// The entry if one was found.
    pub fn into_found(self) -> Option<T> {
        match self.entry {
            Entry::Found(entry) => Some(entry),
            Entry::Missing | Entry::Invalid { .. } => None,
        }
    }

    /// A reference to the entry if one was found.
    pub const fn as_found(&self) -> Option<&T> {
        match &self.entry {
            Entry::Found(entry) => Some(entry),
            Entry::Missing | Entry::Invalid { .. } => None,
        }
    }
}

impl Loaded<CachedToken> {
    /// The token, or botocore's `SSOTokenLoader` error: `Token for <session name or start URL>
    /// does not exist` when missing (or corrupt), `Token for <start URL> is invalid` when
    /// incomplete. Print [`Loaded::warning`] before calling this.
    pub fn require(self, key: &TokenKey) -> Result<CachedToken, CacheError> {
        match self.entry {
            Entry::Found(token) => Ok(token),
            Entry::Missing => Err(CacheError::TokenMissing {
                name: key.name().to_owned(),
            }),
            Entry::Invalid { path, detail } => Err(CacheError::TokenInvalid {
                start_url: key.start_url().to_owned(),
                path,
                detail,
            }),
        }
    }
}

/// A token file found by [`Cache::token_files`], for `aws sso logout`.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenFile {
    /// The file; delete it with [`Cache::delete_file`] (or under [`Cache::lock_token_file`]).
    pub path: PathBuf,
    /// `accessToken`, when it is a string (the CLI would pass any value to `Logout`).
    pub access_token: Option<Secret<String>>,
    /// `region` when it is a non-empty string: only then does the CLI call `Logout`
    /// (`if sso_region:`).
    pub region: Option<String>,
    /// `startUrl`, when it is a string (to name the session in messages).
    pub start_url: Option<String>,
}

/// The raw outcome of reading a cache file as one JSON object.
enum RawFile {
    Missing,
    Corrupt(String),
    Object {
        object: Map<String, Value>,
        trailing_bytes: usize,
    },
}

impl Cache {
    /// The caches of the home directory `home`: `home/.aws/sso/cache` and `home/.aws/cli/cache`.
    /// Both are hard-coded relative to the home directory in the AWS CLI; neither
    /// `AWS_CONFIG_FILE` nor any other variable moves them.
    pub fn new(home: impl AsRef<Path>) -> Self {
        let aws = home.as_ref().join(".aws");
        Self {
            sso_dir: aws.join("sso").join("cache"),
            cli_dir: aws.join("cli").join("cache"),
            lock_dir: aws.join("sso").join("aws-sso-locks"),
            catalog_dir: aws.join("sso").join("aws-sso-roles"),
            session_dir: aws.join("sso").join("aws-sso-sessions"),
        }
    }

    /// The caches of the user's home directory (`HOME`, as Python's `expanduser` reads it).
    pub fn from_env(env: &Env) -> Result<Self, CacheError> {
        env.home().map(Self::new).ok_or(CacheError::NoHome)
    }

    /// `~/.aws/sso/cache`: tokens and client registrations.
    pub fn sso_cache_dir(&self) -> &Path {
        &self.sso_dir
    }

    /// `~/.aws/cli/cache`: role credentials (and other providers' entries).
    pub fn cli_cache_dir(&self) -> &Path {
        &self.cli_dir
    }

    /// `~/.aws/sso/aws-sso-locks`: our lock files (see the module docs).
    pub fn lock_dir(&self) -> &Path {
        &self.lock_dir
    }

    /// `~/.aws/sso/aws-sso-roles`: our account and role catalogs (see [`RoleCatalog`]).
    pub fn catalog_dir(&self) -> &Path {
        &self.catalog_dir
    }

    /// The role catalog of the sign-in whose token is `key`.
    pub fn catalog_path(&self, key: &TokenKey) -> PathBuf {
        self.catalog_dir
            .join(format!("{}{CATALOG_SUFFIX}", key.file_stem()))
    }

    /// The token file of `key`.
    pub fn token_path(&self, key: &TokenKey) -> PathBuf {
        self.sso_dir.join(format!("{}.json", key.file_stem()))
    }

    /// The registration file of `key`.
    pub fn registration_path(&self, key: &RegistrationKey) -> PathBuf {
        self.sso_dir.join(format!("{}.json", key.file_stem()))
    }

    /// The role-credential file of `key`.
    pub fn role_credentials_path(&self, key: &RoleCredentialsKey) -> PathBuf {
        self.cli_dir.join(format!("{}.json", key.file_stem()))
    }

    // ----- tokens -------------------------------------------------------------------------

    /// Reads the token of `key` without locking. For the refresh sequence use
    /// [`Cache::with_token_lock`], which re-reads under the lock.
    pub fn load_token(&self, key: &TokenKey) -> Result<Loaded<CachedToken>, CacheError> {
        load_token_at(&self.token_path(key))
    }

    /// Writes the token of `key` atomically. Prefer [`TokenLock::store`] when refreshing, so
    /// the read-decide-write sequence is not interleaved with another aws-sso process.
    pub fn store_token(&self, key: &TokenKey, token: &CachedToken) -> Result<(), CacheError> {
        write_atomic(&self.token_path(key), &token.render())
    }

    // ----- registrations ------------------------------------------------------------------

    /// Reads the client registration of `key`. Incomplete files are `Missing` with a warning.
    pub fn load_registration(
        &self,
        key: &RegistrationKey,
    ) -> Result<Loaded<ClientRegistration>, CacheError> {
        let path = self.registration_path(key);
        load_entry(&path, ClientRegistration::from_json)
    }

    /// Writes the client registration of `key` atomically.
    pub fn store_registration(
        &self,
        key: &RegistrationKey,
        registration: &ClientRegistration,
    ) -> Result<(), CacheError> {
        write_atomic(&self.registration_path(key), &registration.render())
    }

    // ----- role credentials ---------------------------------------------------------------

    /// Reads cached role credentials. Incomplete files are `Missing` with a warning. Check
    /// [`RoleCredentials::is_usable`] before using them.
    pub fn load_role_credentials(
        &self,
        key: &RoleCredentialsKey,
    ) -> Result<Loaded<RoleCredentials>, CacheError> {
        let path = self.role_credentials_path(key);
        load_entry(&path, |object| RoleCredentials::from_json(&object))
    }

    /// Deletes cached role credentials; `Ok(false)` if there were none.
    pub fn delete_role_credentials(&self, key: &RoleCredentialsKey) -> Result<bool, CacheError> {
        self.delete_file(&self.role_credentials_path(key))
    }

    // ----- role catalogs ------------------------------------------------------------------

    /// Reads the role catalog of `key` without locking. A corrupt or foreign file is
    /// `Missing` with a warning.
    pub fn load_catalog(&self, key: &TokenKey) -> Result<Loaded<RoleCatalog>, CacheError> {
        load_catalog_at(&self.catalog_path(key))
    }

    /// Blocks until this process holds the lock of the role catalog of `key`, so two
    /// enumerations of one sign-in do not run at once: the second reads what the first wrote.
    pub fn lock_catalog(&self, key: &TokenKey) -> Result<CatalogLock, CacheError> {
        let inner = self.open_lock(self.catalog_path(key))?.acquire()?;
        Ok(CatalogLock { inner })
    }

    /// Every role catalog file (for logout, which forgets every sign-in).
    pub fn catalog_files(&self) -> Result<Vec<PathBuf>, CacheError> {
        let mut files = list_files(&self.catalog_dir)?;
        files.retain(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(CATALOG_SUFFIX))
        });
        Ok(files)
    }

    // ----- sign-in records -----------------------------------------------------------------

    /// The sign-in record of the token `key` (see [`SessionRecord`]).
    pub fn session_record_path(&self, key: &TokenKey) -> PathBuf {
        self.session_dir.join(format!("{}.json", key.file_stem()))
    }

    /// When the sign-in of `key` began, if recorded; an unreadable record is no record.
    pub fn load_session_record(&self, key: &TokenKey) -> Result<Option<SessionRecord>, CacheError> {
        let path = self.session_record_path(key);
        match fs::read(&path) {
            Ok(bytes) => Ok(SessionRecord::from_slice(&bytes)),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(CacheError::io("read", &path, error)),
        }
    }

    /// Records a sign-in of `key` (atomically, 0600).
    pub fn store_session_record(
        &self,
        key: &TokenKey,
        record: &SessionRecord,
    ) -> Result<(), CacheError> {
        write_atomic(&self.session_record_path(key), &record.render())
    }

    /// Every sign-in record (for logout).
    pub fn session_record_files(&self) -> Result<Vec<PathBuf>, CacheError> {
        let mut files = list_files(&self.session_dir)?;
        files.retain(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        });
        Ok(files)
    }

    // ----- logout -------------------------------------------------------------------------

    /// Every file in `~/.aws/sso/cache` that the AWS CLI's logout would delete: a JSON object
    /// with an `accessToken` key, whoever wrote it. Entries come in directory-listing order
    /// (the CLI's `os.listdir` order). Subdirectories, unreadable files and corrupt files are
    /// skipped, as the CLI skips them; unlike the CLI, a file whose leading JSON object has
    /// `accessToken` but is followed by stray bytes is included, since it is a token that the
    /// user asked to be logged out of. A missing directory yields no entries.
    pub fn token_files(&self) -> Result<Vec<TokenFile>, CacheError> {
        let mut files = Vec::new();
        for path in list_files(&self.sso_dir)? {
            let Ok(RawFile::Object { object, .. }) = read_object(&path) else {
                continue;
            };
            if !object.contains_key("accessToken") {
                continue;
            }
            files.push(TokenFile {
                access_token: object
                    .get("accessToken")
                    .and_then(Value::as_str)
                    .map(|token| Secret::new(token.to_owned())),
                region: object
                    .get("region")
                    .and_then(Value::as_str)
                    .filter(|region| !region.is_empty())
                    .map(str::to_owned),
                start_url: object
                    .get("startUrl")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                path,
            });
        }
        Ok(files)
    }

    /// Every file in `~/.aws/cli/cache` whose top-level `ProviderType` is `"sso"`: the ones
    /// logout deletes. Assume-role entries, `session.db` and corrupt files are skipped.
    pub fn sso_role_credential_files(&self) -> Result<Vec<PathBuf>, CacheError> {
        let mut files = Vec::new();
        for path in list_files(&self.cli_dir)? {
            if let Ok(RawFile::Object { object, .. }) = read_object(&path)
                && object.get("ProviderType").and_then(Value::as_str) == Some(SSO_PROVIDER_TYPE)
            {
                files.push(path);
            }
        }
        Ok(files)
    }

    /// Temporary files our atomic writes left behind in either cache directory (a process
    /// killed between writing and renaming): they can hold a complete, live token, so logout
    /// removes them all.
    pub fn leftover_temp_files(&self) -> Result<Vec<PathBuf>, CacheError> {
        let mut files = list_files(&self.sso_dir)?;
        files.extend(list_files(&self.cli_dir)?);
        files.retain(|path| is_temp_file(path));
        Ok(files)
    }

    /// Deletes one file; `Ok(false)` if it was already gone (another logout got there first).
    pub fn delete_file(&self, path: &Path) -> Result<bool, CacheError> {
        match fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
            Err(error) => Err(CacheError::io("delete", path, error)),
        }
    }

    // ----- locking ------------------------------------------------------------------------

    /// Blocks until this process holds the exclusive lock for the token of `key`.
    pub fn lock_token(&self, key: &TokenKey) -> Result<TokenLock, CacheError> {
        self.open_lock(self.token_path(key))?.acquire()
    }

    /// Takes the lock for the token of `key` if nobody holds it, else `Ok(None)`: for the
    /// advisory refresh window, where the current token is still good and another process is
    /// already refreshing it.
    pub fn try_lock_token(&self, key: &TokenKey) -> Result<Option<TokenLock>, CacheError> {
        self.open_lock(self.token_path(key))?.try_acquire()
    }

    /// Blocks until this process holds the lock of a file found by [`Cache::token_files`], so
    /// logout does not delete a token while another aws-sso process is refreshing it.
    pub fn lock_token_file(&self, file: &TokenFile) -> Result<TokenLock, CacheError> {
        self.open_lock(file.path.clone())?.acquire()
    }

    /// The single-flight refresh sequence: take the lock for `key`, run `f` (which should
    /// re-read with [`TokenLock::load`], decide, refresh over the network if still needed, and
    /// [`TokenLock::store`] the result), then release the lock, also when `f` fails.
    ///
    /// Because every aws-sso process re-reads after acquiring the lock, when N processes find
    /// the same token near expiry, the first refreshes and the others find the fresh token and
    /// skip the network call.
    ///
    /// ```no_run
    /// # use sso_cache::{Cache, CacheError, TokenKey, refresh_decision, Decision};
    /// # fn refresh_over_network(t: &sso_cache::CachedToken) -> Result<sso_cache::CachedToken, CacheError> { Ok(t.clone()) }
    /// # let cache = Cache::new("/home/me");
    /// # let now = jiff::Timestamp::UNIX_EPOCH;
    /// let key = TokenKey::session("my-sso", "https://d-1234567890.awsapps.com/start");
    /// let token = cache.with_token_lock(&key, |lock| {
    ///     let token = lock.load()?.require(&key)?;
    ///     match refresh_decision(&token, now, key.is_legacy()) {
    ///         Decision::UseAsIs => Ok(token),
    ///         Decision::Expired => Err(Decision::expired_error(key.is_legacy())),
    ///         Decision::Refresh { .. } => {
    ///             let fresh = refresh_over_network(&token)?;
    ///             lock.store(&fresh)?;
    ///             Ok(fresh)
    ///         }
    ///     }
    /// })?;
    /// # Ok::<(), CacheError>(())
    /// ```
    pub fn with_token_lock<T, E>(
        &self,
        key: &TokenKey,
        f: impl FnOnce(&TokenLock) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<CacheError>,
    {
        let lock = self.lock_token(key)?;
        let result = f(&lock);
        drop(lock);
        result
    }

    /// Blocks until this process holds the exclusive lock for the role credentials of `key`,
    /// so that of N processes needing the same credentials only one calls
    /// `GetRoleCredentials` and the others read what it stored.
    pub fn lock_role_credentials(
        &self,
        key: &RoleCredentialsKey,
    ) -> Result<RoleCredentialsLock, CacheError> {
        let inner = self.open_lock(self.role_credentials_path(key))?.acquire()?;
        Ok(RoleCredentialsLock { inner })
    }

    /// Opens (creating it if needed) the lock file of `token_path`, without locking it.
    fn open_lock(&self, token_path: PathBuf) -> Result<TokenLock, CacheError> {
        create_dir(&self.lock_dir)?;
        let name = token_path.file_name().map_or_else(
            || "unnamed.lock".to_owned(),
            |name| format!("{}.lock", name.to_string_lossy()),
        );
        let lock_path = self.lock_dir.join(name);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(LOCK_FILE_MODE);
        }
        let file = options
            .open(&lock_path)
            .map_err(|error| CacheError::io("open the lock file", &lock_path, error))?;
        Ok(TokenLock {
            token_path,
            lock_path,
            file,
        })
    }
}

/// One refresh attempt, as recorded beside a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshAttempt {
    /// When it was made.
    pub at: jiff::Timestamp,
    /// Whether it failed.
    pub failed: bool,
}

/// Exclusive ownership of one token file among aws-sso processes. Dropping it releases the lock.
#[derive(Debug)]
pub struct TokenLock {
    token_path: PathBuf,
    lock_path: PathBuf,
    /// Holding the open, locked file holds the lock; closing it (on drop) releases it.
    file: File,
}

impl TokenLock {
    fn acquire(self) -> Result<Self, CacheError> {
        loop {
            match self.file.lock() {
                Ok(()) => return Ok(self),
                // A signal interrupted the wait; keep waiting.
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(CacheError::io("lock", &self.lock_path, error)),
            }
        }
    }

    fn try_acquire(self) -> Result<Option<Self>, CacheError> {
        match self.file.try_lock() {
            Ok(()) => Ok(Some(self)),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(error)) => {
                Err(CacheError::io("lock", &self.lock_path, error))
            }
        }
    }

    /// The token file this lock guards.
    pub fn token_path(&self) -> &Path {
        &self.token_path
    }

    /// The lock file.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }

    /// Re-reads the token now that no other aws-sso process can be writing it. A token
    /// recovered from a file with stray bytes is written back cleanly here (best effort; the
    /// warning is still returned), since holding the lock makes that safe among aws-sso
    /// processes.
    pub fn load(&self) -> Result<Loaded<CachedToken>, CacheError> {
        let loaded = load_token_at(&self.token_path)?;
        if let (Entry::Found(token), Some(CacheWarning::Recovered { .. })) =
            (&loaded.entry, &loaded.warning)
        {
            // A failed repair changes nothing for this call: the token was read; the next
            // write will replace the file anyway.
            let _ = write_atomic(&self.token_path, &token.render());
        }
        Ok(loaded)
    }

    /// Writes the token atomically while the lock is held.
    pub fn store(&self, token: &CachedToken) -> Result<(), CacheError> {
        write_atomic(&self.token_path, &token.render())
    }

    /// The last refresh attempt any aws-sso process recorded for this token (see
    /// [`TokenLock::record_refresh_attempt`]); `None` when there is none or it cannot be read.
    pub fn last_refresh_attempt(&self) -> Option<RefreshAttempt> {
        use std::io::{Read as _, Seek as _};
        let mut file = &self.file;
        file.rewind().ok()?;
        let mut text = String::new();
        file.take(256).read_to_string(&mut text).ok()?;
        let (at, outcome) = text.trim().split_once(' ')?;
        Some(RefreshAttempt {
            at: at.parse().ok()?,
            failed: outcome == "failed",
        })
    }

    /// Records, in the lock file itself (only the holder writes it), when this process tried
    /// to refresh and whether it failed, so the processes queued behind the lock do not each
    /// repeat a refresh that just failed. Best effort: the record is an optimisation.
    pub fn record_refresh_attempt(&self, attempt: RefreshAttempt) {
        use std::io::Seek as _;
        let mut file = &self.file;
        let outcome = if attempt.failed {
            "failed"
        } else {
            "succeeded"
        };
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|_| writeln!(file, "{} {outcome}", attempt.at));
    }

    /// Deletes the token file while the lock is held; `Ok(false)` if it was already gone.
    pub fn delete(&self) -> Result<bool, CacheError> {
        match fs::remove_file(&self.token_path) {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
            Err(error) => Err(CacheError::io("delete", &self.token_path, error)),
        }
    }
}

/// Exclusive ownership of one role-credential file among aws-sso processes. Dropping it
/// releases the lock.
#[derive(Debug)]
pub struct RoleCredentialsLock {
    inner: TokenLock,
}

impl RoleCredentialsLock {
    /// The credential file this lock guards.
    pub fn path(&self) -> &Path {
        self.inner.token_path()
    }

    /// Re-reads the entry now that no other aws-sso process can be writing it.
    pub fn load(&self) -> Result<Loaded<RoleCredentials>, CacheError> {
        load_entry(self.path(), |object| RoleCredentials::from_json(&object))
    }

    /// Writes the entry atomically while the lock is held.
    pub fn store(&self, credentials: &RoleCredentials) -> Result<(), CacheError> {
        write_atomic(self.path(), &credentials.render())
    }
}

/// Exclusive ownership of one role catalog among aws-sso processes. Dropping it releases the
/// lock.
#[derive(Debug)]
pub struct CatalogLock {
    inner: TokenLock,
}

impl CatalogLock {
    /// The catalog file this lock guards.
    pub fn path(&self) -> &Path {
        self.inner.token_path()
    }

    /// Re-reads the catalog now that no other aws-sso process can be writing it.
    pub fn load(&self) -> Result<Loaded<RoleCatalog>, CacheError> {
        load_catalog_at(self.path())
    }

    /// Writes the catalog atomically while the lock is held.
    pub fn store(&self, catalog: &RoleCatalog) -> Result<(), CacheError> {
        write_atomic(self.path(), &catalog.render())
    }
}

fn load_token_at(path: &Path) -> Result<Loaded<CachedToken>, CacheError> {
    Ok(match read_object(path)? {
        RawFile::Missing => Loaded::missing(None),
        RawFile::Corrupt(detail) => Loaded::missing(Some(CacheWarning::Corrupt {
            path: path.to_owned(),
            detail,
        })),
        RawFile::Object {
            object,
            trailing_bytes,
        } => match (CachedToken::from_json(object), trailing_bytes) {
            (Ok(token), 0) => Loaded::found(token, None),
            (Ok(token), trailing_bytes) => Loaded::found(
                token,
                Some(CacheWarning::Recovered {
                    path: path.to_owned(),
                    trailing_bytes,
                }),
            ),
            (Err(invalid), 0) => Loaded {
                entry: Entry::Invalid {
                    path: path.to_owned(),
                    detail: invalid.detail,
                },
                warning: None,
            },
            // Stray bytes and no usable leading token: nothing trustworthy in this file.
            (Err(invalid), trailing_bytes) => Loaded::missing(Some(CacheWarning::Corrupt {
                path: path.to_owned(),
                detail: format!(
                    "{trailing_bytes} stray bytes after a JSON object that is not a token: {}",
                    invalid.detail
                ),
            })),
        },
    })
}

/// Reads a role catalog: missing is a miss; anything unreadable as one (corrupt JSON, another
/// shape or version) is a miss with a warning, and the next enumeration replaces it.
fn load_catalog_at(path: &Path) -> Result<Loaded<RoleCatalog>, CacheError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Loaded::missing(None)),
        Err(error) => return Err(CacheError::io("read", path, error)),
    };
    Ok(match RoleCatalog::from_slice(&bytes) {
        Ok(catalog) => Loaded::found(catalog, None),
        Err(detail) => Loaded::missing(Some(CacheWarning::Corrupt {
            path: path.to_owned(),
            detail,
        })),
    })
}

/// Reads an entry kind whose incompleteness just means "fetch a new one".
fn load_entry<T>(
    path: &Path,
    parse: impl FnOnce(Map<String, Value>) -> Result<T, String>,
) -> Result<Loaded<T>, CacheError> {
    Ok(match read_object(path)? {
        RawFile::Missing => Loaded::missing(None),
        RawFile::Corrupt(detail) => Loaded::missing(Some(CacheWarning::Corrupt {
            path: path.to_owned(),
            detail,
        })),
        RawFile::Object {
            object,
            trailing_bytes,
        } => match (parse(object), trailing_bytes) {
            (Ok(entry), 0) => Loaded::found(entry, None),
            (Ok(entry), trailing_bytes) => Loaded::found(
                entry,
                Some(CacheWarning::Recovered {
                    path: path.to_owned(),
                    trailing_bytes,
                }),
            ),
            (Err(detail), 0) => Loaded::missing(Some(CacheWarning::Incomplete {
                path: path.to_owned(),
                detail,
            })),
            (Err(detail), trailing_bytes) => Loaded::missing(Some(CacheWarning::Corrupt {
                path: path.to_owned(),
                detail: format!(
                    "{trailing_bytes} stray bytes after an incomplete JSON object: {detail}"
                ),
            })),
        },
    })
}

/// Reads `path` as one JSON object, possibly followed by stray bytes.
fn read_object(path: &Path) -> Result<RawFile, CacheError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(RawFile::Missing),
        Err(error) => return Err(CacheError::io("read", path, error)),
    };
    Ok(parse_object(&bytes))
}

/// The pure part of [`read_object`]. serde_json's error messages give only a position, never
/// file content, so they are safe to show (the file holds secrets).
fn parse_object(bytes: &[u8]) -> RawFile {
    if bytes.trim_ascii().is_empty() {
        return RawFile::Corrupt("the file is empty".to_owned());
    }
    let mut text = std::borrow::Cow::Borrowed(bytes);
    let mut clamped = 0;
    let (value, offset) = loop {
        let mut stream = serde_json::Deserializer::from_slice(&text).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => break (value, stream.byte_offset()),
            Some(Err(error)) if clamped < MAX_CLAMPED_NUMBERS => {
                match clamp_huge_number(&text, &error) {
                    Some(fixed) => {
                        text = std::borrow::Cow::Owned(fixed);
                        clamped += 1;
                    }
                    None => return RawFile::Corrupt(format!("invalid JSON: {error}")),
                }
            }
            Some(Err(error)) => return RawFile::Corrupt(format!("invalid JSON: {error}")),
            None => return RawFile::Corrupt("the file is empty".to_owned()),
        }
    };
    let rest = text.get(offset..).unwrap_or_default();
    // Python's `json.load` allows trailing whitespace, so that is not stray.
    let trailing_bytes = if rest.trim_ascii().is_empty() {
        0
    } else {
        rest.len()
    };
    match value {
        Value::Object(object) => RawFile::Object {
            object,
            trailing_bytes,
        },
        _ if trailing_bytes > 0 => {
            RawFile::Corrupt(format!("{trailing_bytes} stray bytes after a JSON value"))
        }
        _ => RawFile::Corrupt("the JSON is not an object".to_owned()),
    }
}

/// How many out-of-range numbers one file may have clamped before it counts as corrupt.
const MAX_CLAMPED_NUMBERS: usize = 16;

/// Python's `json.load` reads a number beyond the float range (`1e400`) as infinity, so such a
/// file works with botocore; serde_json refuses it. Where `error` is that refusal, the number
/// is replaced by the largest float of its sign (which is what it becomes if the entry is
/// written back: valid JSON every SDK reads, unlike Python's `Infinity`).
fn clamp_huge_number(text: &[u8], error: &serde_json::Error) -> Option<Vec<u8>> {
    if !error.to_string().starts_with("number out of range") {
        return None;
    }
    // The error's line and column point at the number's last character.
    let line_start = if error.line() <= 1 {
        0
    } else {
        text.iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(error.line() - 2)?
            .0
            + 1
    };
    let end = (line_start + error.column()).min(text.len());
    let is_number_byte = |byte: &u8| byte.is_ascii_digit() || b"+-.eE".contains(byte);
    let start = text[..end]
        .iter()
        .rposition(|byte| !is_number_byte(byte))
        .map_or(0, |position| position + 1);
    let token = &text[start..end];
    if token.is_empty() || !token.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let replacement: &[u8] = if token.starts_with(b"-") {
        b"-1.7976931348623157e308"
    } else {
        b"1.7976931348623157e308"
    };
    Some([&text[..start], replacement, &text[end..]].concat())
}

/// Paths of the non-directory entries of `dir`, in listing order; none if `dir` is missing.
fn list_files(dir: &Path) -> Result<Vec<PathBuf>, CacheError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(CacheError::io("list", dir, error)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| CacheError::io("list", dir, error))?;
        // `file_type` does not follow symlinks; a symlink to a directory fails to read later
        // and is skipped there, as the CLI's `open()` would fail on it.
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            continue;
        }
        paths.push(entry.path());
    }
    Ok(paths)
}

/// Creates `dir` and its missing parents with mode 0700 (see [`DIRECTORY_MODE`]).
fn create_dir(dir: &Path) -> Result<(), CacheError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIRECTORY_MODE);
    }
    builder
        .create(dir)
        .map_err(|error| CacheError::io("create the directory", dir, error))
}

/// Replaces `path` with `contents` atomically: temp file (0600) in the same directory, write,
/// fsync, rename, fsync the directory.
/// Name parts of the temporary files [`write_atomic`] creates.
const TEMP_PREFIX: &str = ".aws-sso-";
const TEMP_SUFFIX: &str = ".tmp";

/// How old another writer's temporary file must be before it is taken for abandoned: a write
/// takes milliseconds, so a minute-old one belongs to a process that died.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(60);

fn is_temp_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX))
}

/// Removes temporary files in `dir` older than [`STALE_TEMP_AGE`] relative to `fresh`, a temp
/// file just created there (its modification time is "now" by the filesystem's clock, so no
/// clock is read here). Best effort: a file that vanishes or resists is left to the next writer.
fn sweep_stale_temps(dir: &Path, fresh: &Path) {
    let Ok(now) = fs::metadata(fresh).and_then(|m| m.modified()) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path == fresh || !is_temp_file(&path) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| {
                now.duration_since(modified)
                    .is_ok_and(|age| age >= STALE_TEMP_AGE)
            });
        if stale {
            let _ = fs::remove_file(&path);
        }
    }
}

/// tempfile's errors append `at path "…/.aws-sso-XXXX.tmp"`: a random name the user never
/// asked for, next to the target the message already names. Keep the operating system's error.
fn without_temp_path(error: std::io::Error) -> std::io::Error {
    // tempfile keeps the original error private; its message is `{error} at path {path:?}`.
    let text = error.to_string();
    match text.split_once(" at path \"") {
        Some((original, _)) => std::io::Error::new(error.kind(), original.to_owned()),
        None => error,
    }
}

fn write_atomic(path: &Path, contents: &str) -> Result<(), CacheError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    create_dir(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile's default, spelled out because the file holds secrets from its first byte.
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|error| CacheError::io("write", path, without_temp_path(error)))?;
    // A writer killed between write and rename leaves its temp file, secret and all; the
    // next writer in the directory removes it.
    sweep_stale_temps(dir, temp.path());
    temp.write_all(contents.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|error| CacheError::io("write", path, error))?;
    // On failure the `PersistError` hands the temp file back; dropping it deletes it.
    temp.persist(path)
        .map_err(|error| CacheError::io("replace", path, error.error))?;
    sync_dir(dir);
    Ok(())
}

/// Makes the rename durable. Best effort: the new file is already in place and readable, and
/// some filesystems refuse to fsync a directory, which must not turn a good write into an error.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_the_float_range_are_clamped_as_python_reads_them_not_corrupt() {
        let text = b"{\"accessToken\": \"t\",\n  \"big\": 1e400, \"small\": [2, -1.5E+999],\n\"z\": 12345678901234567890e300}";
        let RawFile::Object {
            object,
            trailing_bytes,
        } = parse_object(text)
        else {
            panic!("a huge number made the file corrupt");
        };
        assert_eq!(trailing_bytes, 0);
        assert_eq!(object["accessToken"], "t");
        assert_eq!(object["big"].as_f64(), Some(f64::MAX));
        assert_eq!(object["small"][1].as_f64(), Some(-f64::MAX));
        assert_eq!(object["z"].as_f64(), Some(f64::MAX));
        // Real syntax errors stay corrupt.
        assert!(matches!(parse_object(b"{\"a\": 1e}"), RawFile::Corrupt(_)));
        assert!(matches!(
            parse_object(b"{\"a\": 1e400"),
            RawFile::Corrupt(_)
        ));
    }

    #[test]
    fn parse_object_table() {
        // (bytes, expected: Ok(trailing) for an object, Err(detail prefix) for corrupt)
        #[rustfmt::skip]
        let cases: [(&[u8], Result<usize, &str>); 12] = [
            (b"{\"a\": 1}",              Ok(0)),
            (b"  {\"a\": 1}\n\n",        Ok(0)),
            (b"{\"a\": 1}5\"}",          Ok(3)),
            (b"{\"a\": 1}{\"a\": 2}",    Ok(8)),
            (b"{\"a\": 1} x",            Ok(2)),
            (b"",                        Err("the file is empty")),
            (b" \n\t",                   Err("the file is empty")),
            (b"{\"a\": ",                Err("invalid JSON: EOF while parsing")),
            (b"not json",                Err("invalid JSON: expected ")),
            (b"[1, 2]",                  Err("the JSON is not an object")),
            (b"\"accessToken\"",         Err("the JSON is not an object")),
            (b"[1]garbage",              Err("7 stray bytes after a JSON value")),
        ];
        for (bytes, expected) in cases {
            let shown = String::from_utf8_lossy(bytes);
            match (parse_object(bytes), expected) {
                (RawFile::Object { trailing_bytes, .. }, Ok(trailing)) => {
                    assert_eq!(trailing_bytes, trailing, "{shown}")
                }
                (RawFile::Corrupt(detail), Err(prefix)) => {
                    assert!(detail.starts_with(prefix), "{shown}: {detail}")
                }
                (RawFile::Missing, _) => panic!("{shown}: missing"),
                (RawFile::Object { .. }, Err(prefix)) => {
                    panic!("{shown}: parsed, expected {prefix}")
                }
                (RawFile::Corrupt(detail), Ok(_)) => panic!("{shown}: corrupt ({detail})"),
            }
        }
    }

    #[test]
    fn invalid_utf8_is_corrupt_not_a_crash() {
        assert!(matches!(
            parse_object(b"{\"a\": \"\xff\"}"),
            RawFile::Corrupt(_)
        ));
        assert!(matches!(parse_object(b"\xff\xfe"), RawFile::Corrupt(_)));
    }

    #[test]
    fn paths_follow_the_cli_layout() {
        let cache = Cache::new("/home/me");
        let key = TokenKey::session("my-sso", "https://my-sso-portal.awsapps.com/start");
        assert_eq!(
            cache.token_path(&key),
            Path::new("/home/me/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        );
        let role = RoleCredentialsKey::new("123456789012", "ReadOnly", Some("my-sso"), "u");
        assert_eq!(
            cache.role_credentials_path(&role),
            Path::new("/home/me/.aws/cli/cache/31b260dab331b2af063485cea75f7b8b3cf54c71.json")
        );
        assert_eq!(
            cache.lock_dir(),
            Path::new("/home/me/.aws/sso/aws-sso-locks")
        );
    }

    #[test]
    fn from_env_needs_home() {
        assert!(matches!(
            Cache::from_env(&Env::from_pairs([("X", "1")])),
            Err(CacheError::NoHome)
        ));
        assert!(matches!(
            Cache::from_env(&Env::from_pairs([("HOME", "")])),
            Err(CacheError::NoHome)
        ));
        let cache = Cache::from_env(&Env::from_pairs([("HOME", "/h")])).unwrap();
        assert_eq!(cache.cli_cache_dir(), Path::new("/h/.aws/cli/cache"));
        assert_eq!(cache.sso_cache_dir(), Path::new("/h/.aws/sso/cache"));
    }
}
