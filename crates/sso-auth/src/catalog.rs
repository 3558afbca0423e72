//! Every account and role of a sign-in, from the [`RoleCatalog`] cache when it is fresh and
//! from an [`Enumerator`] run when not, resuming an interrupted run where it stopped.
//!
//! - A complete catalog younger than the maximum age ([`DEFAULT_MAX_AGE`]) is the answer,
//!   with no request and no token needed ([`CatalogRequest::fresh`]).
//! - Otherwise the enumeration runs under the catalog's cross-process lock, after re-reading
//!   the file (so of two runs started together the second finds the first's result). A
//!   catalog left incomplete by an interrupted or partly failed run, begun within the maximum
//!   age, is resumed: its account list is kept and only the accounts without roles are
//!   queried. Anything else starts over with ListAccounts.
//! - Progress is saved every [`CHECKPOINT_EVERY`] accounts and whenever the run ends, however
//!   it ends, so an interrupt loses nothing and a crash loses at most one checkpoint's worth.

use jiff::SignedDuration;
use sso_cache::{Cache, CatalogAccount, CatalogLock, RoleCatalog, TokenKey};
use sso_client::ClientError;
use sso_config::SsoTarget;
use sso_core::{Clock, Terminal};

use crate::enumerate::{EnumerationError, Enumerator, Progress, Stats};
use crate::token_key;

/// How long a catalog is trusted: roles change rarely, and an hour-old list is what users of
/// other tools' caches already accept. `--refresh` ignores it.
pub const DEFAULT_MAX_AGE: SignedDuration = SignedDuration::from_hours(1);

/// Accounts between two saves of an enumeration in progress.
pub const CHECKPOINT_EVERY: usize = 50;

/// Which catalog, and how old it may be.
pub struct CatalogRequest<'a> {
    /// The caches.
    pub cache: &'a Cache,
    /// "Now", for the catalog's age.
    pub clock: &'a dyn Clock,
    /// Where warnings (a corrupt catalog) go.
    pub terminal: &'a dyn Terminal,
    /// The sign-in.
    pub target: &'a SsoTarget,
    /// The oldest catalog to use.
    pub max_age: SignedDuration,
    /// Ignore any catalog and enumerate again (`--refresh`).
    pub refresh: bool,
}

/// What a run of the enumeration reports besides the catalog.
pub trait Observer {
    /// ListAccounts has found `count` accounts so far.
    fn accounts_found(&mut self, count: usize);
    /// Role listing progress (every 200 ms and at the end).
    fn progress(&mut self, progress: &Progress);
}

/// An account whose roles could not be listed.
#[derive(Debug)]
pub struct AccountFailure {
    /// The account ID.
    pub account_id: String,
    /// Its name.
    pub account_name: String,
    /// Why, after retries.
    pub error: ClientError,
}

/// The outcome of [`CatalogRequest::build`].
#[derive(Debug)]
pub struct Built {
    /// The catalog as saved; accounts that failed have no roles.
    pub catalog: RoleCatalog,
    /// The accounts that failed in this run.
    pub failures: Vec<AccountFailure>,
    /// What this run cost.
    pub stats: Stats,
}

impl Built {
    /// A catalog read from the cache: nothing failed, nothing was sent.
    pub fn cached(catalog: RoleCatalog) -> Self {
        Self {
            catalog,
            failures: Vec::new(),
            stats: Stats::default(),
        }
    }
}

/// An enumeration that stopped early, with what it saved.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Stopped {
    /// Why it stopped.
    #[source]
    pub error: EnumerationError,
    /// Accounts still without roles in the saved catalog (for "run again to resume").
    pub pending: usize,
}

impl CatalogRequest<'_> {
    fn key(&self) -> TokenKey {
        token_key(self.target)
    }

    /// Whether `catalog` is of this target and young enough (for a complete one: to use; for
    /// an incomplete one: to resume).
    fn usable(&self, catalog: &RoleCatalog) -> bool {
        catalog.is_for(self.target.start_url(), self.target.region())
            && self.clock.now().duration_since(catalog.started_at) < self.max_age
    }

    /// The cached catalog when it is complete and fresh (and `--refresh` was not given). No
    /// lock and no request: this is the fast path.
    ///
    /// # Errors
    ///
    /// The file exists but cannot be read. A corrupt file is a miss with a warning.
    pub fn fresh(&self) -> Result<Option<RoleCatalog>, sso_cache::CacheError> {
        if self.refresh {
            return Ok(None);
        }
        let loaded = self.cache.load_catalog(&self.key())?;
        if let Some(warning) = &loaded.warning {
            self.terminal.warn(warning);
        }
        Ok(loaded
            .into_found()
            .filter(|catalog| catalog.completed_at.is_some() && self.usable(catalog)))
    }

    /// Enumerates (or resumes) and saves the catalog. See the module docs.
    ///
    /// # Errors
    ///
    /// The catalog's lock or file cannot be used, or the enumeration stopped early
    /// ([`Stopped`], after saving its progress).
    pub fn build(
        &self,
        enumerator: &Enumerator<'_>,
        observer: &mut dyn Observer,
    ) -> Result<Built, Box<Stopped>> {
        let stopped = |error: EnumerationError, pending| Box::new(Stopped { error, pending });
        let cache_error =
            |error: sso_cache::CacheError| stopped(crate::AuthError::from(error).into(), 0);
        let lock = self.cache.lock_catalog(&self.key()).map_err(cache_error)?;
        let previous = lock.load().map_err(cache_error)?.into_found();
        if let Some(catalog) = previous
            .as_ref()
            .filter(|c| !self.refresh && c.completed_at.is_some() && self.usable(c))
        {
            self.terminal
                .debug(|| "another process has just listed the roles".into());
            return Ok(Built::cached(catalog.clone()));
        }
        let resume = previous.filter(|c| !self.refresh && self.usable(c));
        let mut catalog = match resume {
            Some(catalog) => {
                self.terminal.debug(|| {
                    format!(
                        "resuming the role listing: {} of {} accounts left",
                        catalog.pending(),
                        catalog.accounts.len()
                    )
                });
                catalog
            }
            None => {
                let accounts = enumerator
                    .list_accounts(&mut |count| observer.accounts_found(count))
                    .map_err(|error| stopped(error, 0))?;
                let accounts = accounts
                    .into_iter()
                    .map(|account| CatalogAccount {
                        account_id: account.account_id,
                        account_name: account.account_name,
                        email_address: account.email_address,
                        roles: None,
                    })
                    .collect();
                let catalog = RoleCatalog::started(
                    self.target.start_url(),
                    self.target.region(),
                    self.clock.now(),
                    accounts,
                );
                lock.store(&catalog).map_err(cache_error)?;
                catalog
            }
        };
        let (failures, outcome) = self.list_roles(&lock, &mut catalog, enumerator, observer);
        if catalog.pending() == 0 {
            catalog.completed_at = Some(self.clock.now());
        }
        let saved = lock.store(&catalog);
        outcome.map_err(|error| stopped(error, catalog.pending()))?;
        saved.map_err(cache_error)?;
        Ok(Built {
            catalog,
            failures,
            stats: enumerator.stats(),
        })
    }

    /// Lists the roles of the catalog's pending accounts, saving every so often.
    fn list_roles(
        &self,
        lock: &CatalogLock,
        catalog: &mut RoleCatalog,
        enumerator: &Enumerator<'_>,
        observer: &mut dyn Observer,
    ) -> (Vec<AccountFailure>, Result<(), EnumerationError>) {
        let pending: Vec<usize> = catalog
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, account)| account.roles.is_none())
            .map(|(index, _)| index)
            .collect();
        let ids: Vec<String> = pending
            .iter()
            .map(|&index| catalog.accounts[index].account_id.clone())
            .collect();
        let mut failures = Vec::new();
        let mut since_checkpoint = 0;
        let outcome = enumerator.list_roles(
            &ids,
            &mut |position, result| {
                let account = &mut catalog.accounts[pending[position]];
                match result {
                    Ok(roles) => account.roles = Some(roles),
                    Err(error) => failures.push(AccountFailure {
                        account_id: account.account_id.clone(),
                        account_name: account.account_name.clone(),
                        error,
                    }),
                }
                since_checkpoint += 1;
                if since_checkpoint >= CHECKPOINT_EVERY {
                    since_checkpoint = 0;
                    // A failed checkpoint is not fatal: the final save reports the problem.
                    let _ = lock.store(catalog);
                }
            },
            &mut |progress| observer.progress(progress),
        );
        failures.sort_by_key(|failure| {
            catalog
                .accounts
                .iter()
                .position(|account| account.account_id == failure.account_id)
        });
        (failures, outcome)
    }
}
