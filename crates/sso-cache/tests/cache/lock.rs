//! The single-flight refresh: many threads or processes find the same token near expiry at
//! once; exactly one refreshes, and every one of them ends up with the refreshed token.
//!
//! The process test re-runs this test binary with `--exact lock::child_process_entry` and an
//! environment variable naming the shared home directory; without that variable the entry
//! point does nothing.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use sso_cache::{Cache, CacheError, CachedToken, Decision, refresh_decision};
use sso_core::{Clock, Env, FixedClock, Secret};
use tempfile::TempDir;

use crate::{names, session_key, token, ts};

const HOME_VAR: &str = "SSO_CACHE_TEST_LOCK_HOME";
const ID_VAR: &str = "SSO_CACHE_TEST_LOCK_ID";
const NOW: &str = "2026-01-01T12:00:00Z";
const WORKERS: usize = 6;

/// Puts a token with 5 minutes left (inside the refresh window) in a fresh home.
fn prepare_home() -> TempDir {
    let home = TempDir::new().unwrap();
    let cache = Cache::new(home.path());
    cache
        .store_token(&session_key(), &token("at-old", "2026-01-01T12:05:00Z"))
        .unwrap();
    home
}

/// One caller of the refresh sequence. Returns the access token it ended up using.
fn refresh_once(home: &Path, worker: &str) -> Result<String, CacheError> {
    let cache = Cache::new(home);
    let key = session_key();
    let now = FixedClock(ts(NOW)).now();
    let token = cache.with_token_lock(&key, |lock| {
        let token = lock.load()?.require(&key)?;
        match refresh_decision(&token, now, key.is_legacy()) {
            Decision::UseAsIs => Ok(token),
            Decision::Expired => Err(Decision::expired_error(key.is_legacy())),
            Decision::Refresh { .. } => {
                // The "network call": record it, and linger so that without the lock the
                // other workers would certainly read the old token meanwhile.
                let mut log = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(home.join("refreshes.log"))
                    .unwrap();
                writeln!(log, "{worker}").unwrap();
                std::thread::sleep(Duration::from_millis(100));
                let fresh = token.refreshed(
                    crate::START_URL,
                    "us-east-1",
                    Secret::new(format!("at-{worker}")),
                    now + SignedDuration::from_hours(8),
                    Some(Secret::new(format!("rt-{worker}"))),
                );
                lock.store(&fresh)?;
                Ok(fresh)
            }
        }
    })?;
    Ok(token.access_token.expose().clone())
}

/// Checks the outcome: one refresh, everyone saw its token, the file holds it, no debris.
fn assert_single_flight(home: &Path, seen: &[String]) {
    let log = std::fs::read_to_string(home.join("refreshes.log")).unwrap();
    let refreshers: Vec<&str> = log.lines().collect();
    assert_eq!(
        refreshers.len(),
        1,
        "expected exactly one refresh, got {refreshers:?}"
    );
    let expected = format!("at-{}", refreshers[0]);
    assert_eq!(seen.len(), WORKERS);
    for token in seen {
        assert_eq!(token, &expected, "all workers: {seen:?}");
    }
    let cache = Cache::new(home);
    let stored: CachedToken = cache
        .load_token(&session_key())
        .unwrap()
        .require(&session_key())
        .unwrap();
    assert_eq!(stored.access_token.expose(), &expected);
    assert_eq!(
        stored.refresh_token.as_ref().map(Secret::expose),
        Some(&format!("rt-{}", refreshers[0]))
    );
    assert_eq!(stored.expires_at, ts("2026-01-01T20:00:00Z"));
    assert_eq!(
        names(cache.sso_cache_dir()),
        ["0ad374308c5a4e22f723adf10145eafad7c4031c.json"]
    );
}

#[test]
fn single_flight_across_threads() {
    let home = prepare_home();
    let barrier = Arc::new(Barrier::new(WORKERS));
    let handles: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let barrier = Arc::clone(&barrier);
            let home: PathBuf = home.path().to_owned();
            std::thread::spawn(move || {
                barrier.wait();
                refresh_once(&home, &format!("thread{worker}")).unwrap()
            })
        })
        .collect();
    let seen: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_single_flight(home.path(), &seen);
}

#[test]
fn single_flight_across_processes() {
    let home = prepare_home();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..WORKERS)
        .map(|worker| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "lock::child_process_entry",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(HOME_VAR, home.path())
                .env(ID_VAR, format!("process{worker}"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Release all children at once, so they contend for the lock.
    std::fs::write(home.path().join("go"), b"").unwrap();
    let mut seen = Vec::new();
    for (worker, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "child {worker} failed: {stderr}");
        let result = home.path().join(format!("seen-process{worker}"));
        seen.push(
            std::fs::read_to_string(&result).unwrap_or_else(|e| {
                panic!("child {worker} left no result ({e}); stderr: {stderr}")
            }),
        );
    }
    assert_single_flight(home.path(), &seen);
}

/// The child side of `single_flight_across_processes`; a no-op in a normal test run.
#[test]
fn child_process_entry() {
    let env = Env::from_process();
    let (Some(home), Some(worker)) = (env.get(HOME_VAR), env.get(ID_VAR)) else {
        return;
    };
    let home = Path::new(home);
    // Wait for the parent's start signal (bounded, so a broken parent cannot hang us).
    let mut waited = 0;
    while !home.join("go").exists() {
        assert!(waited < 30_000, "no start signal");
        std::thread::sleep(Duration::from_millis(1));
        waited += 1;
    }
    let token = refresh_once(home, worker).unwrap();
    std::fs::write(home.join(format!("seen-{worker}")), token).unwrap();
}

#[test]
fn try_lock_is_refused_while_held_and_granted_after() {
    let home = prepare_home();
    let cache = Cache::new(home.path());
    let key = session_key();
    let held = cache.lock_token(&key).unwrap();
    assert!(cache.try_lock_token(&key).unwrap().is_none());
    // Another key is independent.
    let other = sso_cache::TokenKey::session("other", crate::START_URL);
    assert!(cache.try_lock_token(&other).unwrap().is_some());
    drop(held);
    assert!(cache.try_lock_token(&key).unwrap().is_some());
    // Lock files stay out of the cache directory.
    assert_eq!(
        names(cache.sso_cache_dir()),
        ["0ad374308c5a4e22f723adf10145eafad7c4031c.json"]
    );
    let mut expected = [
        "0ad374308c5a4e22f723adf10145eafad7c4031c.json.lock".to_owned(),
        format!("{}.json.lock", sso_cache::sha1_hex("other")),
    ];
    expected.sort();
    assert_eq!(names(cache.lock_dir()), expected);
}

#[test]
fn the_lock_is_released_when_the_closure_fails() {
    let home = prepare_home();
    let cache = Cache::new(home.path());
    let key = session_key();
    let result: Result<(), CacheError> =
        cache.with_token_lock(&key, |_| Err(CacheError::RefreshFailed));
    assert!(matches!(result, Err(CacheError::RefreshFailed)));
    assert!(cache.try_lock_token(&key).unwrap().is_some());
}

#[test]
fn loading_under_the_lock_repairs_stray_bytes() {
    let home = prepare_home();
    let cache = Cache::new(home.path());
    let key = session_key();
    let path = cache.token_path(&key);
    let clean = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{clean}0Z\"}}")).unwrap();

    // A plain load reports and recovers but leaves the file alone.
    let loaded = cache.load_token(&key).unwrap();
    assert!(matches!(
        loaded.warning,
        Some(sso_cache::CacheWarning::Recovered {
            trailing_bytes: 4,
            ..
        })
    ));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{clean}0Z\"}}")
    );

    // Under the lock the recovered token is written back cleanly.
    let lock = cache.lock_token(&key).unwrap();
    let loaded = lock.load().unwrap();
    assert!(loaded.warning.is_some());
    assert_eq!(loaded.into_found().unwrap().access_token.expose(), "at-old");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), clean);
}

#[test]
fn advisory_window_uses_the_current_token_while_another_process_refreshes() {
    // The decision for a token with 12 minutes left is an advisory refresh; a caller that
    // cannot get the lock (someone else refreshing) keeps using the token it has.
    let home = prepare_home();
    let cache = Cache::new(home.path());
    let key = session_key();
    let now: Timestamp = ts(NOW);
    let token = token("at-old", "2026-01-01T12:12:00Z");
    assert_eq!(
        refresh_decision(&token, now, false),
        Decision::Refresh { mandatory: false }
    );
    let _refreshing = cache.lock_token(&key).unwrap();
    assert!(cache.try_lock_token(&key).unwrap().is_none());
}
