//! [`Store`]: the emulator's durable state in redb — registered clients, device codes and
//! their user codes, authorization requests and codes, portal sessions, issued access and
//! refresh tokens, issued role credentials, console sign-in tokens and console sessions.
//!
//! Why redb: it is pure Rust (about 9 s of a clean dev build) and has an in-memory backend
//! (`redb::backends::InMemoryBackend`) for the default no-file mode, while rusqlite with the
//! `bundled` feature spends about 65 s compiling SQLite's C in release builds
//! (`research/ecosystem.md` §1b). `--state FILE` uses the same code on a file, so state survives
//! restarts; every commit is durable (`Durability::Immediate`, redb's default), so even a killed
//! emulator keeps issued tokens.
//!
//! Every record is a JSON value under a string key in its own table. Each read-modify-write
//! (redeeming a code, polling a device code, rotating a refresh token) happens inside one
//! [`Store::write`] closure, i.e. one write transaction, so two concurrent redemptions of the same
//! one-time code cannot both succeed. It owns no policy: what a record means and when it expires
//! is decided by the handlers.

mod records;

use std::path::Path;

use redb::backends::InMemoryBackend;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use records::{
    AccessToken, AuthCode, AuthorizationRequest, Client, ConsoleSession, DeviceGrant, DeviceStatus,
    IssuedRoleCredentials, RefreshToken, Session, SigninToken, UserCode, grant,
};

type Table = TableDefinition<'static, &'static str, &'static [u8]>;

/// A record type and the table it lives in.
pub(crate) trait Record: Serialize + DeserializeOwned {
    /// The table.
    const TABLE: Table;
}

/// Every table, created at open so read transactions never meet a missing one.
const TABLES: [Table; 11] = [
    Client::TABLE,
    DeviceGrant::TABLE,
    UserCode::TABLE,
    AuthorizationRequest::TABLE,
    AuthCode::TABLE,
    Session::TABLE,
    AccessToken::TABLE,
    RefreshToken::TABLE,
    IssuedRoleCredentials::TABLE,
    SigninToken::TABLE,
    ConsoleSession::TABLE,
];

/// The redb database.
pub(crate) struct Store {
    db: Database,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (or creates) the state file, or an in-memory database when `path` is `None`.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let db = match path {
            Some(path) => Database::create(path).map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source,
            })?,
            None => Database::builder()
                .create_with_backend(InMemoryBackend::new())
                .map_err(|source| StoreError::Open {
                    path: "<memory>".to_owned(),
                    source,
                })?,
        };
        let store = Self { db };
        store.write(|tx| {
            for table in TABLES {
                tx.txn
                    .open_table(table)
                    .map_err(|e| StoreError::db("create tables", e))?;
            }
            Ok(())
        })?;
        Ok(store)
    }

    /// Runs `f` in a read transaction (a consistent snapshot; never blocks writers).
    pub(crate) fn read<R>(
        &self,
        f: impl FnOnce(&Reader) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self
            .db
            .begin_read()
            .map_err(|e| StoreError::db("begin read", e))?;
        f(&Reader { txn })
    }

    /// Runs `f` in a write transaction and commits it if `f` returns `Ok` — including an `Ok`
    /// that carries an API error, so a poll that answers `slow_down` still records its time.
    /// redb admits one writer at a time, which serialises every read-modify-write.
    pub(crate) fn write<R>(
        &self,
        f: impl FnOnce(&Writer) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self
            .db
            .begin_write()
            .map_err(|e| StoreError::db("begin write", e))?;
        let writer = Writer { txn };
        match f(&writer) {
            Ok(value) => {
                writer
                    .txn
                    .commit()
                    .map_err(|e| StoreError::db("commit", e))?;
                Ok(value)
            }
            Err(error) => {
                // Best effort: the original error is the one worth reporting.
                let _ = writer.txn.abort();
                Err(error)
            }
        }
    }
}

fn decode<T: Record>(key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt {
        table: T::TABLE.to_string(),
        key: key.to_owned(),
        source,
    })
}

/// A read transaction.
pub(crate) struct Reader {
    txn: redb::ReadTransaction,
}

impl Reader {
    /// The record under `key`, if any.
    pub(crate) fn get<T: Record>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let table = self
            .txn
            .open_table(T::TABLE)
            .map_err(|e| StoreError::db("open table", e))?;
        let value = table.get(key).map_err(|e| StoreError::db("get", e))?;
        value.map(|guard| decode(key, guard.value())).transpose()
    }

    /// Every record of a table, in key order.
    pub(crate) fn all<T: Record>(&self) -> Result<Vec<(String, T)>, StoreError> {
        let table = self
            .txn
            .open_table(T::TABLE)
            .map_err(|e| StoreError::db("open table", e))?;
        collect(&table)
    }
}

/// A write transaction.
pub(crate) struct Writer {
    txn: redb::WriteTransaction,
}

impl Writer {
    /// The record under `key`, if any.
    pub(crate) fn get<T: Record>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let table = self
            .txn
            .open_table(T::TABLE)
            .map_err(|e| StoreError::db("open table", e))?;
        let value = table.get(key).map_err(|e| StoreError::db("get", e))?;
        value.map(|guard| decode(key, guard.value())).transpose()
    }

    /// Stores `record` under `key`, replacing any previous one.
    pub(crate) fn put<T: Record>(&self, key: &str, record: &T) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(record).map_err(|source| StoreError::Corrupt {
            table: T::TABLE.to_string(),
            key: key.to_owned(),
            source,
        })?;
        let mut table = self
            .txn
            .open_table(T::TABLE)
            .map_err(|e| StoreError::db("open table", e))?;
        table
            .insert(key, bytes.as_slice())
            .map_err(|e| StoreError::db("insert", e))?;
        Ok(())
    }

    /// Every record of a table, in key order.
    pub(crate) fn all<T: Record>(&self) -> Result<Vec<(String, T)>, StoreError> {
        let table = self
            .txn
            .open_table(T::TABLE)
            .map_err(|e| StoreError::db("open table", e))?;
        collect(&table)
    }
}

fn collect<T: Record>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Vec<(String, T)>, StoreError> {
    let mut out = Vec::new();
    for entry in table.iter().map_err(|e| StoreError::db("scan", e))? {
        let (key, value) = entry.map_err(|e| StoreError::db("scan", e))?;
        let key = key.value().to_owned();
        let record = decode(&key, value.value())?;
        out.push((key, record));
    }
    Ok(out)
}

/// A state database failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error(
        "cannot open the state database `{path}`: {source}\nhint: is another sso-emulator using the same --state file?"
    )]
    Open {
        /// The `--state` file, or `<memory>`.
        path: String,
        /// redb's error.
        source: redb::DatabaseError,
    },
    /// A transaction failed.
    #[error("state database error during {action}: {source}")]
    Db {
        /// What was being done.
        action: &'static str,
        /// redb's error.
        source: redb::Error,
    },
    /// A stored record does not decode (a state file from an incompatible emulator version).
    #[error(
        "record `{key}` in table `{table}` cannot be decoded: {source}\nhint: start with a fresh --state file"
    )]
    Corrupt {
        /// The table name.
        table: String,
        /// The record key (never a token: token tables are keyed by token, so this may be one —
        /// it is only ever logged on stderr of a local test emulator).
        key: String,
        /// serde's error.
        source: serde_json::Error,
    },
}

impl StoreError {
    fn db(action: &'static str, source: impl Into<redb::Error>) -> Self {
        Self::Db {
            action,
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_and_scan_in_memory() {
        let store = Store::open(None).unwrap();
        let session = Session {
            user: "demo".to_owned(),
            created_at_ms: 1,
            expires_at_ms: 2,
            revoked: false,
        };
        store.write(|tx| tx.put("s1", &session)).unwrap();
        let got: Option<Session> = store.read(|tx| tx.get("s1")).unwrap();
        assert_eq!(got, Some(session.clone()));
        let missing: Option<Session> = store.read(|tx| tx.get("s2")).unwrap();
        assert_eq!(missing, None);
        let all: Vec<(String, Session)> = store.read(|tx| tx.all()).unwrap();
        assert_eq!(all, vec![("s1".to_owned(), session)]);
    }

    #[test]
    fn failed_write_closure_rolls_back() {
        let store = Store::open(None).unwrap();
        let result: Result<(), StoreError> = store.write(|tx| {
            tx.put(
                "s1",
                &Session {
                    user: "demo".to_owned(),
                    created_at_ms: 1,
                    expires_at_ms: 2,
                    revoked: false,
                },
            )?;
            Err(StoreError::Corrupt {
                table: "t".to_owned(),
                key: "k".to_owned(),
                source: serde_json::from_str::<u8>("x").unwrap_err(),
            })
        });
        assert!(result.is_err());
        let got: Option<Session> = store.read(|tx| tx.get("s1")).unwrap();
        assert_eq!(got, None);
    }

    #[test]
    fn file_state_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.redb");
        {
            let store = Store::open(Some(&path)).unwrap();
            store
                .write(|tx| {
                    tx.put(
                        "s1",
                        &Session {
                            user: "alice".to_owned(),
                            created_at_ms: 5,
                            expires_at_ms: 6,
                            revoked: true,
                        },
                    )
                })
                .unwrap();
        }
        let store = Store::open(Some(&path)).unwrap();
        let got: Option<Session> = store.read(|tx| tx.get("s1")).unwrap();
        assert_eq!(got.unwrap().user, "alice");
    }
}
